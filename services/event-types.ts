import { readFile } from 'node:fs/promises';
import { HooklineError, conflict, invalid, notFound } from '../domain/errors';
import { definitionProblem, eventTypeNameProblem, parseCatalogue } from '../domain/event-catalogue';
import { RESERVED_EVENT_TYPES } from '../domain/event-types';
import { compilePayloadSchema, describeViolation, payloadViolation, type PayloadValidator } from '../domain/json-schema';
import * as q from '../db/queries/event-types';
import type { Sql } from '../db/sql';
import type { ServiceDeps } from './deps';

/**
 * Event types as data. Each API process keeps the catalogue in memory, with each schema compiled
 * once per (type, updated_at); a change made through this process is seen at once, one made through
 * another within REFRESH_MS: a publish after that checks a digest of the table (one small query per
 * second at most, not one per publish) and reloads when it moved.
 */
export const REFRESH_MS = 1_000;

interface Cached {
  row: q.EventTypeRow;
  validator?: PayloadValidator;
}

class Catalogue {
  private types = new Map<string, Cached>();
  private version: string | null = null;
  private checkedAt = 0;
  /** Moves on every change made through this process: a refresh begun before it cannot install what it read. */
  private generation = 0;
  private refreshing: { generation: number; done: Promise<void> } | null = null;

  constructor(private readonly sql: Sql) {}

  async current(): Promise<Map<string, Cached>> {
    if (Date.now() - this.checkedAt >= REFRESH_MS) {
      if (this.refreshing?.generation !== this.generation) {
        const run = { generation: this.generation, done: this.refresh(this.generation) };
        this.refreshing = run;
        void run.done.finally(() => this.refreshing === run && (this.refreshing = null)).catch(() => {});
      }
      await this.refreshing!.done;
    }
    return this.types;
  }

  invalidate(): void {
    this.generation += 1;
    this.checkedAt = 0;
  }

  private async refresh(generation: number): Promise<void> {
    const version = await q.eventTypesVersion(this.sql);
    const rows = version === this.version ? null : await q.listEventTypes(this.sql, { includeArchived: true });
    if (generation !== this.generation) return; // a change was made meanwhile: the next call reads again
    if (rows) {
      const next = new Map<string, Cached>();
      for (const row of rows) {
        const old = this.types.get(row.name);
        // A compiled schema outlives a reload while its type is unchanged.
        next.set(row.name, old && old.row.updatedAt.getTime() === row.updatedAt.getTime() ? { row, validator: old.validator } : { row });
      }
      this.types = next;
      this.version = version;
    }
    this.checkedAt = Date.now();
  }
}

const catalogues = new WeakMap<Sql, Catalogue>();
/** The process's catalogue for this database (one per `sql` client). */
function catalogueFor(sql: Sql): Catalogue {
  let c = catalogues.get(sql);
  if (!c) catalogues.set(sql, (c = new Catalogue(sql)));
  return c;
}

/** A publish's type and payload: unknown (unless HOOKLINE_OPEN_EVENT_TYPES) and archived types are 400s, as is `data` its schema refuses. */
export async function checkPublish(deps: ServiceDeps, type: string, data: unknown): Promise<void> {
  const found = (await catalogueFor(deps.sql).current()).get(type);
  if (!found) {
    if (deps.config.openEventTypes) return;
    throw invalid('type', 'unknown event type (see GET /v1/event-types)');
  }
  if (found.row.archivedAt) throw invalid('type', `${type} is archived: it can no longer be published`);
  if (found.row.schema === null) return;
  found.validator ??= compilePayloadSchema(found.row.schema);
  const violation = payloadViolation(found.validator, data);
  if (violation) throw new HooklineError('invalid_request', describeViolation(violation));
}

/** Types an endpoint may subscribe to: `*` and current types (any name with HOOKLINE_OPEN_EVENT_TYPES); never archived ones. */
export async function checkSubscription(deps: ServiceDeps, events: string[] | undefined): Promise<void> {
  if (!events) return;
  const types = await catalogueFor(deps.sql).current();
  for (const name of events) {
    if (name === '*') continue;
    const found = types.get(name);
    if (found?.row.archivedAt) throw invalid('events', `${name} is archived: it can no longer be subscribed to`);
    if (!found && !deps.config.openEventTypes) throw invalid('events', `unknown event type ${name} (see GET /v1/event-types)`);
  }
}

export async function listEventTypes(deps: ServiceDeps, opts: { includeArchived: boolean }): Promise<q.EventTypeRow[]> {
  const rows = [...(await catalogueFor(deps.sql).current()).values()].map((c) => c.row);
  return rows.filter((r) => opts.includeArchived || !r.archivedAt).sort((a, b) => (a.name < b.name ? -1 : 1));
}

export async function getEventType(deps: ServiceDeps, name: string): Promise<q.EventTypeRow> {
  const row = await q.getEventType(deps.sql, name);
  if (!row) throw notFound('event type');
  return row;
}

export interface EventTypeFields {
  description?: string;
  schema?: unknown;
  example?: unknown;
}

function check(fields: EventTypeFields): void {
  const problem = definitionProblem(fields);
  if (problem) throw invalid(problem[0], problem[1]);
}

export async function createEventType(deps: ServiceDeps, input: EventTypeFields & { type: string }): Promise<q.EventTypeRow> {
  const nameProblem = eventTypeNameProblem(input.type);
  if (nameProblem) throw invalid('type', nameProblem);
  check(input);
  const row = await q.insertEventType(deps.sql, { name: input.type, description: input.description ?? '', schema: input.schema ?? null, example: input.example ?? null });
  if (!row) throw conflict(`event type ${input.type} already exists`);
  catalogueFor(deps.sql).invalidate();
  return row;
}

/** `schema: null` removes the schema; `archived: false` restores an archived type. */
export async function updateEventType(deps: ServiceDeps, name: string, patch: EventTypeFields & { archived?: boolean }): Promise<q.EventTypeRow> {
  if (patch.archived === true && RESERVED_EVENT_TYPES.has(name)) throw invalid('type', `${name} is sent by Hookline and cannot be archived`);
  // Checked against the row as it stands, locked, so two changes cannot leave an example its schema refuses.
  const row = await deps.sql.begin(async (tx) => {
    const before = await q.getEventType(tx, name, { forUpdate: true });
    if (!before) return null;
    check({ schema: patch.schema === undefined ? before.schema : patch.schema, example: patch.example === undefined ? before.example : patch.example });
    return q.updateEventType(tx, name, patch);
  });
  if (!row) throw notFound('event type');
  catalogueFor(deps.sql).invalidate();
  return row;
}

/** Reads and applies a catalogue file (see deploy/event-types.yaml for the rule on admin edits). */
export async function loadCatalogueFile(sql: Sql, file: string): Promise<{ created: number; updated: number; types: number }> {
  const defs = parseCatalogue(await readFile(file, 'utf8'), file);
  const counts = await q.upsertCatalogue(sql, defs);
  catalogueFor(sql).invalidate();
  return { ...counts, types: defs.length };
}
