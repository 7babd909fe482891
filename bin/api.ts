import { loadConfigOrExit } from '../infra/config';
import { runHookline, runMain } from './run';

/** `npm run api`: the HTTP API alone; stateless, run as many as you like behind a load balancer. */
runMain('hookline api', () => runHookline(loadConfigOrExit(), { api: true, worker: false, name: 'hookline-api' }));
