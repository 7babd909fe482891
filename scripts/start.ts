import { loadConfigOrExit } from '../lib/config';
import { runHookline } from './run-hookline';

/** `npm start`: the API and a worker in one process, against TEMPORAL_ADDRESS and DATABASE_URL. */
const config = loadConfigOrExit();
runHookline(config, (api) => console.log(`hookline: API on ${api.url}, Temporal ${config.temporal.address}, task queue ${config.temporal.taskQueue}`)).catch(
  (err) => {
    console.error(`hookline failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
