import { loadConfigOrExit } from '../infra/config';
import { runHookline, runMain } from './run';

/** `npm start`: the API and a worker in one process, against TEMPORAL_ADDRESS and DATABASE_URL. */
const config = loadConfigOrExit();
runMain('hookline', () =>
  runHookline(config, {
    api: true,
    worker: true,
    name: 'hookline',
    onStarted: ({ api }) => console.log(`hookline: API on ${api?.url}, Temporal ${config.temporal.address}, task queue ${config.temporal.taskQueue}`),
  }),
);
