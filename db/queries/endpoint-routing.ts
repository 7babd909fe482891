import type { EventFilter } from '../../domain/event-filter';
import type { Tx } from '../sql';

/** An endpoint's filter and channels: undefined leaves one as it is, null (or {} / []) clears it. */
export interface EndpointRouting {
  filter?: EventFilter | null;
  channels?: string[] | null;
}

/** What EndpointRow holds of them (COLUMNS in endpoints.ts reads the filter as JSON text). */
export interface RoutingColumns {
  filterJson: string | null;
  channels: string[];
}

/** Writes the filter and channels given; returns both as they now are, or null when the endpoint is gone. */
export async function saveEndpointRouting(tx: Tx, id: string, r: EndpointRouting): Promise<RoutingColumns | null> {
  const [row] = await tx<RoutingColumns[]>`
    update endpoints set
      filter = case when ${r.filter !== undefined} then ${r.filter ? JSON.stringify(r.filter) : null}::text::jsonb else filter end,
      channels = case when ${r.channels !== undefined} then ${r.channels ?? []}::text[] else channels end,
      updated_at = now()
    where id = ${id}
    returning filter::text as filter_json, channels`;
  return row ?? null;
}
