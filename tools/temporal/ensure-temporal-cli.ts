import { findOrBuildTemporalCli } from './temporal-cli';

/** Prints the path of a usable Temporal CLI, building or downloading it first if there is none. */
findOrBuildTemporalCli().then(
  (binary) => console.log(binary),
  (err: unknown) => {
    console.error(`hookline: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
