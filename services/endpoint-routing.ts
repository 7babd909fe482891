import { asEventFilter } from '../domain/event-filter-check';
import { saveEndpointRouting } from '../db/queries/endpoint-routing';
import type { EndpointRow } from '../db/queries/endpoints';
import type { Tx } from '../db/sql';

/**
 * An endpoint's filter and channels as the API takes them (checked there: domain/event-filter-check.ts
 * and domain/channels.ts). Absent leaves them as they are; null, {} or [] clears them.
 */
export interface RoutingFields {
  filter?: Record<string, unknown> | null;
  channels?: string[] | null;
}

/** Saves what the fields set, in the endpoint's create or update transaction; the row as it now is. */
export async function saveRouting<T extends EndpointRow | null>(tx: Tx, id: string, fields: RoutingFields, row?: T): Promise<T | undefined> {
  if (fields.filter === undefined && fields.channels === undefined) return row;
  const filter = fields.filter === undefined ? undefined : asEventFilter(fields.filter);
  const saved = await saveEndpointRouting(tx, id, { filter, channels: fields.channels });
  return row && saved ? { ...row, ...saved } : row;
}
