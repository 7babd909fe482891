import { main } from '../cli/main';

/** `hookline …` (the package's bin, bin/hookline.cjs): the API from a terminal. */
void main(process.argv.slice(2)).then((code) => process.exit(code));
