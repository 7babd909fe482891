import { parse as parseYaml } from 'yaml';
import { EVENT_TYPE_PATTERN } from './event-types';
import { compilePayloadSchema, payloadViolation } from './json-schema';

/**
 * The event-type catalogue file (HOOKLINE_EVENT_TYPES_FILE, YAML or JSON; deploy/event-types.yaml
 * ships the two seed products' types):
 *
 *   eventTypes:
 *     - type: signing.completed
 *       description: Every signer has signed.
 *       schema: { type: object, properties: { documentId: { type: string } } }
 *       example: { documentId: doc_1 }
 */
export interface EventTypeDefinition {
  name: string;
  description: string;
  schema: unknown | null;
  example: unknown | null;
}

export class CatalogueError extends Error {}

const MAX_DESCRIPTION = 1_000;

/** Why `name` cannot be an event type, or null. */
export function eventTypeNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > 128) return 'must be a string of 1 to 128 characters';
  if (!EVENT_TYPE_PATTERN.test(name)) return 'must be dotted words, e.g. signing.completed';
  return null;
}

/**
 * Why this definition cannot be stored, as [field, problem], or null: its schema must compile and
 * its example must match it.
 */
export function definitionProblem(d: { schema?: unknown; example?: unknown }): [string, string] | null {
  if (d.schema === undefined || d.schema === null) return null;
  let validate;
  try {
    validate = compilePayloadSchema(d.schema);
  } catch (err) {
    return ['schema', (err as Error).message];
  }
  const violation = d.example === undefined || d.example === null ? null : payloadViolation(validate, d.example);
  if (violation) return ['example', `does not match the schema: ${violation.pointer || '(root)'} ${violation.message}`.trim()];
  return null;
}

/** Parses and checks a catalogue file's text; throws a CatalogueError naming the entry and field. */
export function parseCatalogue(text: string, fileName = 'catalogue'): EventTypeDefinition[] {
  let doc: unknown;
  try {
    doc = fileName.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new CatalogueError(`${fileName}: not valid ${fileName.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = (doc as { eventTypes?: unknown } | null)?.eventTypes;
  if (!Array.isArray(list)) throw new CatalogueError(`${fileName}: expected a top-level "eventTypes" list`);
  const seen = new Set<string>();
  return list.map((entry: unknown, i) => {
    const at = (field: string, problem: string) => new CatalogueError(`${fileName}: eventTypes[${i}].${field}: ${problem}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw at('', 'expected an object');
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).find((k) => !['type', 'description', 'schema', 'example'].includes(k));
    if (unknown) throw at(unknown, 'unknown field');
    const nameProblem = eventTypeNameProblem(e.type);
    if (nameProblem) throw at('type', nameProblem);
    const name = e.type as string;
    if (seen.has(name)) throw at('type', `${name} is listed twice`);
    seen.add(name);
    if (e.description !== undefined && (typeof e.description !== 'string' || e.description.length > MAX_DESCRIPTION)) {
      throw at('description', `must be a string of at most ${MAX_DESCRIPTION} characters`);
    }
    const problem = definitionProblem(e);
    if (problem) throw at(problem[0], problem[1]);
    return { name, description: (e.description as string | undefined) ?? '', schema: e.schema ?? null, example: e.example ?? null };
  });
}
