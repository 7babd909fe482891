import { findOrBuildTemporalCli } from './temporal-cli';

/** Prints the path of a usable Temporal CLI, building it first if there is none. */
try {
  console.log(findOrBuildTemporalCli());
} catch (err) {
  console.error(`hookline: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
