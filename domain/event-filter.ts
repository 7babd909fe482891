/**
 * An endpoint's payload filter, matched against the event as the API shows it
 * (`{ id, type, data, channels, createdAt }`) when the event is published. The operators are
 * Hookdeck Outpost's: a filter is a condition on a value, and a condition is
 * - a plain value (string, number, boolean, null or array): equal to it (`$eq`);
 * - an object whose `$` keys are operators on the value and whose other keys are conditions on the
 *   value's fields (all must hold). Against an array, the field conditions hold when one element
 *   (an object) meets them all.
 * A condition on a field that is absent fails, except `$exists: false` and what `$not` turns round.
 * Nothing here builds a regular expression from a filter: strings are compared, prefixed, searched.
 * Checked on save by domain/event-filter-check.ts, so the evaluator trusts the operand types.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type EventFilter = { [key: string]: Json };

/** The event a filter reads. */
export interface FilterableEvent {
  id: string;
  type: string;
  data: unknown;
  channels: string[];
  createdAt: string;
}

/** An absent field: told apart from null, which is present. */
const MISSING = Symbol('missing');
type Value = unknown;

export function matchesFilter(filter: EventFilter, event: FilterableEvent): boolean {
  return matchCondition(filter, event);
}

function isObject(v: Value): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function matchCondition(cond: Json, value: Value): boolean {
  if (!isObject(cond)) return equals(value, cond);
  let hasFields = false;
  for (const key of Object.keys(cond)) {
    if (key.startsWith('$')) {
      if (!applyOperator(key, cond[key]!, value)) return false;
    } else {
      hasFields = true;
    }
  }
  if (!hasFields) return true;
  if (Array.isArray(value)) return value.some((item) => isObject(item) && matchFields(cond, item));
  return matchFields(cond, isObject(value) ? value : {});
}

/** Every field condition of `cond` on the object's own fields (an absent one is MISSING). */
function matchFields(cond: { [key: string]: Json }, obj: Record<string, unknown>): boolean {
  for (const key of Object.keys(cond)) {
    if (key.startsWith('$')) continue;
    const field = Object.hasOwn(obj, key) ? obj[key] : MISSING;
    if (!matchCondition(cond[key]!, field)) return false;
  }
  return true;
}

function applyOperator(op: string, operand: Json, value: Value): boolean {
  switch (op) {
    case '$eq': return equals(value, operand);
    case '$neq': return value !== MISSING && !equals(value, operand);
    case '$gt': return compare(value, operand, (a, b) => a > b);
    case '$gte': return compare(value, operand, (a, b) => a >= b);
    case '$lt': return compare(value, operand, (a, b) => a < b);
    case '$lte': return compare(value, operand, (a, b) => a <= b);
    case '$in': return isIn(value, operand as Json[]);
    case '$nin': return value !== MISSING && !isIn(value, operand as Json[]);
    case '$exists': return (value !== MISSING) === operand;
    case '$startsWith': return typeof value === 'string' && value.startsWith(operand as string);
    case '$endsWith': return typeof value === 'string' && value.endsWith(operand as string);
    case '$contains': return contains(value, operand);
    case '$and': return (operand as Json[]).every((c) => matchCondition(c, value));
    case '$or': return (operand as Json[]).some((c) => matchCondition(c, value));
    case '$not': return !matchCondition(operand, value);
    default: return false; // refused on save; an unknown operator never matches
  }
}

/** A primitive against an array: one element equal to it. Otherwise deep equality, 1 and "1" differ. */
function equals(value: Value, operand: Json): boolean {
  if (value === MISSING) return false;
  if (Array.isArray(value) && !isObject(operand) && !Array.isArray(operand)) return value.some((item) => item === operand);
  return deepEqual(value, operand);
}

function deepEqual(a: Value, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(b)) return Array.isArray(a) && a.length === b.length && b.every((item, i) => deepEqual(a[i], item));
  if (isObject(b)) {
    if (!isObject(a)) return false;
    const keys = Object.keys(b);
    return keys.length === Object.keys(a).length && keys.every((k) => Object.hasOwn(a, k) && deepEqual(a[k], b[k]!));
  }
  return false;
}

/** Numbers with numbers, strings with strings (code-unit order, so ISO 8601 times compare); else no match. */
function compare(value: Value, operand: Json, holds: (a: number | string, b: number | string) => boolean): boolean {
  if (typeof value === 'number' && typeof operand === 'number') return holds(value, operand);
  if (typeof value === 'string' && typeof operand === 'string') return holds(value, operand);
  return false;
}

/** The value is one of the list; an array value, when one of its elements is. */
function isIn(value: Value, list: Json[]): boolean {
  if (Array.isArray(value)) return value.some((item) => list.includes(item as Json));
  return value !== MISSING && list.includes(value as Json);
}

/** A string holds the substring; an array holds an element meeting the operand (a value or a condition). */
function contains(value: Value, operand: Json): boolean {
  if (typeof value === 'string') return typeof operand === 'string' && value.includes(operand);
  if (Array.isArray(value)) return value.some((item) => matchCondition(operand, item));
  return false;
}
