import { CatalogueError } from '../domain/event-catalogue';
import { ConfigError } from '../infra/config';
import { loadCatalogueFile } from '../services/event-types';
import type { ApiDeps } from './deps';

/**
 * The catalogue file at the API's start: a bad file stops the start (naming the variable, as a bad
 * setting does); Postgres being down does not (the API answers 503 until it is back, and the types
 * `npm run migrate` loaded are still there).
 */
export async function loadEventCatalogueAtStart(deps: ApiDeps): Promise<void> {
  try {
    const loaded = await loadCatalogueFile(deps.sql, deps.config.eventTypesFile);
    deps.log.info({ file: deps.config.eventTypesFile, ...loaded }, 'event-type catalogue loaded');
  } catch (err) {
    if (err instanceof CatalogueError || (err as { code?: string }).code === 'ENOENT') {
      throw new ConfigError(`HOOKLINE_EVENT_TYPES_FILE: ${(err as Error).message}`);
    }
    deps.log.warn({ err: { message: (err as Error).message } }, 'could not load the event-type catalogue at start');
  }
}
