import type { Sql, Tx } from '../sql';

export interface EventTypeRow {
  name: string;
  description: string;
  schema: unknown | null;
  example: unknown | null;
  source: 'catalogue' | 'admin';
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface RawRow extends Omit<EventTypeRow, 'schema' | 'example'> {
  schema: string | null;
  example: string | null;
}

// jsonb read as text: the client's camelCase transform would otherwise rename keys inside it
// (a schema's `additional_properties`, a payload's `document_id`).
const COLUMNS = 'name, description, schema::text as schema, example::text as example, source, archived_at, created_at, updated_at';

const parsed = (r: RawRow): EventTypeRow => ({
  ...r,
  schema: r.schema === null ? null : JSON.parse(r.schema),
  example: r.example === null ? null : JSON.parse(r.example),
});

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

export async function listEventTypes(sql: Sql | Tx, opts: { includeArchived: boolean }): Promise<EventTypeRow[]> {
  const rows = await sql<RawRow[]>`
    select ${sql.unsafe(COLUMNS)} from event_types where ${opts.includeArchived} or archived_at is null order by name`;
  return rows.map(parsed);
}

/** `forUpdate` (in a transaction): concurrent changes of one type take turns. */
export async function getEventType(sql: Sql | Tx, name: string, opts: { forUpdate?: boolean } = {}): Promise<EventTypeRow | null> {
  const [row] = await sql<RawRow[]>`select ${sql.unsafe(COLUMNS)} from event_types where name = ${name} ${opts.forUpdate ? sql`for update` : sql``}`;
  return row ? parsed(row) : null;
}

/**
 * A digest of every type's name and last change: an API process compares it with its copy's. (Not
 * max(updated_at): a change that commits after a later-stamped one would not move the maximum.)
 */
export async function eventTypesVersion(sql: Sql): Promise<string> {
  const [row] = await sql<{ version: string }[]>`
    select coalesce(md5(string_agg(name || '@' || updated_at::text, ',' order by name)), '') as version from event_types`;
  return row!.version;
}

/** Null when the name is taken. */
export async function insertEventType(
  sql: Sql | Tx,
  t: { name: string; description: string; schema: unknown; example: unknown },
): Promise<EventTypeRow | null> {
  const [row] = await sql<RawRow[]>`
    insert into event_types (name, description, schema, example, source)
    values (${t.name}, ${t.description}, ${json(t.schema)}::text::jsonb, ${json(t.example)}::text::jsonb, 'admin')
    on conflict (name) do nothing
    returning ${sql.unsafe(COLUMNS)}`;
  return row ? parsed(row) : null;
}

/** A change through the API: the type becomes the admin's (the catalogue file no longer updates it). */
export async function updateEventType(
  sql: Sql | Tx,
  name: string,
  patch: { description?: string; schema?: unknown; example?: unknown; archived?: boolean },
): Promise<EventTypeRow | null> {
  const [row] = await sql<RawRow[]>`
    update event_types set
      description = coalesce(${patch.description ?? null}, description),
      schema = case when ${patch.schema !== undefined} then ${json(patch.schema)}::text::jsonb else schema end,
      example = case when ${patch.example !== undefined} then ${json(patch.example)}::text::jsonb else example end,
      archived_at = case when ${patch.archived === true} then coalesce(archived_at, now())
                         when ${patch.archived === false} then null else archived_at end,
      source = 'admin',
      updated_at = clock_timestamp()
    where name = ${name}
    returning ${sql.unsafe(COLUMNS)}`;
  return row ? parsed(row) : null;
}

/**
 * The catalogue file's load: inserts the types it lists that are missing and updates those it owns
 * (source 'catalogue') whose definition differs; an admin's types are left as they are.
 */
export async function upsertCatalogue(
  sql: Sql | Tx,
  defs: { name: string; description: string; schema: unknown; example: unknown }[],
): Promise<{ created: number; updated: number }> {
  if (defs.length === 0) return { created: 0, updated: 0 };
  const [row] = await sql<{ created: number; updated: number }[]>`
    with input as (
      select * from unnest(${defs.map((d) => d.name)}::text[], ${defs.map((d) => d.description)}::text[],
        ${defs.map((d) => json(d.schema))}::text[], ${defs.map((d) => json(d.example))}::text[]) as t(name, description, schema, example)
    ), written as (
      insert into event_types as et (name, description, schema, example, source)
      select name, description, schema::jsonb, example::jsonb, 'catalogue' from input
      on conflict (name) do update set description = excluded.description, schema = excluded.schema,
        example = excluded.example, updated_at = clock_timestamp()
      where et.source = 'catalogue'
        and (et.description, et.schema, et.example) is distinct from (excluded.description, excluded.schema, excluded.example)
      returning (xmax = 0) as inserted
    )
    select count(*) filter (where inserted)::int as created, count(*) filter (where not inserted)::int as updated from written`;
  return row!;
}
