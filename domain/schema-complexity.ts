/**
 * A static bound on how much work one validation of a payload schema can take, checked before the
 * schema is compiled. `$ref`s expand in place, so a chain of `$defs` whose each level refers twice
 * to the next (`dN = { anyOf: [{$ref: dN+1}, {$ref: dN+1}] }`) doubles with each level: 25 levels
 * are 33 million subschemas, which ajv never finishes compiling and which a payload failing at the
 * bottom walks in full. Counting the expansion up front refuses it in microseconds.
 */

/** At most this many subschemas once every `$ref` is expanded (a reference back to an enclosing schema counts once). */
export const MAX_EXPANDED_SUBSCHEMAS = 5_000;

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

const ONE = ['not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems', 'items'];
const MANY = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
const MAP = ['properties', 'patternProperties', 'dependentSchemas'];

function children(s: Schema): unknown[] {
  const out: unknown[] = [];
  for (const k of ONE) if (isSchema(s[k])) out.push(s[k]);
  for (const k of MANY) if (Array.isArray(s[k])) out.push(...(s[k] as unknown[]));
  for (const k of MAP) if (isSchema(s[k])) out.push(...Object.values(s[k] as Schema));
  return out;
}

/** Every subschema by its `$id` and `#<$anchor>` (also in `$defs`), so references by either are followed too. */
function index(root: Schema): Map<string, Schema> {
  const byName = new Map<string, Schema>();
  const stack: unknown[] = [root];
  const seen = new Set<unknown>();
  while (stack.length) {
    const s = stack.pop();
    if (!isSchema(s) || seen.has(s)) continue;
    seen.add(s);
    if (typeof s.$id === 'string') byName.set(s.$id.replace(/#$/, ''), s);
    for (const key of ['$anchor', '$dynamicAnchor']) if (typeof s[key] === 'string') byName.set(`#${s[key] as string}`, s);
    stack.push(...children(s));
    for (const k of ['$defs', 'definitions']) if (isSchema(s[k])) stack.push(...Object.values(s[k] as Schema));
  }
  return byName;
}

function pointer(root: unknown, fragment: string): unknown {
  let at: unknown = root;
  for (const raw of fragment.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    at = isSchema(at) || Array.isArray(at) ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at;
}

function resolve(root: Schema, byName: Map<string, Schema>, ref: string): unknown {
  if (ref === '#' || ref.startsWith('#/')) return pointer(root, ref.slice(1));
  if (byName.has(ref)) return byName.get(ref);
  const hash = ref.indexOf('#');
  const base = hash < 0 ? byName.get(ref) : (hash === 0 ? root : byName.get(ref.slice(0, hash)));
  if (hash < 0 || !base) return base;
  const fragment = ref.slice(hash);
  return fragment.startsWith('#/') ? pointer(base, fragment.slice(1)) : byName.get(fragment);
}

/** Why `schema` is too costly to validate with, or null. Iterative memoised count; stops counting past the bound. */
export function schemaComplexityProblem(schema: unknown): string | null {
  if (!isSchema(schema)) return null;
  const byName = index(schema);
  const memo = new Map<Schema, number>();
  const onPath = new Set<Schema>();
  const count = (s: unknown, depth: number): number => {
    if (!isSchema(s)) return 1;
    const known = memo.get(s);
    if (known !== undefined) return known;
    if (onPath.has(s) || depth > 200) return 1; // recursion: bounded by the payload, not the schema
    onPath.add(s);
    let total = 1;
    const next = [...children(s)];
    for (const k of ['$ref', '$dynamicRef']) if (typeof s[k] === 'string') next.push(resolve(schema, byName, s[k] as string));
    for (const child of next) {
      total += count(child, depth + 1);
      if (total > MAX_EXPANDED_SUBSCHEMAS) break;
    }
    onPath.delete(s);
    memo.set(s, total);
    return total;
  };
  const total = count(schema, 0);
  return total > MAX_EXPANDED_SUBSCHEMAS
    ? `too complex: its subschemas expand to more than ${MAX_EXPANDED_SUBSCHEMAS} once $ref, anyOf, allOf and oneOf are followed (a $defs chain that refers to each next level more than once grows exponentially)`
    : null;
}
