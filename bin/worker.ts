import { loadConfigOrExit } from '../infra/config';
import { runHookline, runMain } from './run';

/** `npm run worker`: one worker process; run as many as you like against the same Temporal and Postgres. */
runMain('hookline worker', () => runHookline(loadConfigOrExit(), { api: false, worker: true, name: 'hookline-worker' }));
