import type { EventFilter } from './event-filter';
import { jsonProblem } from './json-depth';

/**
 * What is wrong with an endpoint's filter, naming the path (`filter.data.amount.$gte`), or null when
 * domain/event-filter.ts can evaluate it. Checked when it is saved, never at publish time.
 */

export const FILTER_MAX_DEPTH = 8;
export const FILTER_MAX_BYTES = 8 * 1024;

export const FILTER_OPERATORS = [
  '$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$startsWith', '$endsWith', '$contains', '$and', '$or', '$not',
] as const;
const OPERATORS: ReadonlySet<string> = new Set(FILTER_OPERATORS);

export interface FilterProblem {
  path: string;
  message: string;
}

const problem = (path: string, message: string): FilterProblem => ({ path, message });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

export function filterProblem(filter: unknown, path = 'filter'): FilterProblem | null {
  if (!isObject(filter)) return problem(path, 'must be an object, e.g. { "data": { "status": "paid" } }');
  const deep = depthProblem(filter, path);
  if (deep) return deep;
  // What jsonb cannot store (a NUL, a lone surrogate), in a key or a value.
  const unstorable = jsonProblem(filter, FILTER_MAX_DEPTH + 1);
  if (unstorable) return problem(path, unstorable);
  const bytes = new TextEncoder().encode(JSON.stringify(filter)).length;
  if (bytes > FILTER_MAX_BYTES) return problem(path, `must be at most 8 KiB of JSON (it is ${bytes} bytes)`);
  return conditionProblem(filter, path);
}

/** The filter as stored: a checked object, or null for none. */
export function asEventFilter(filter: unknown): EventFilter | null {
  return isObject(filter) && Object.keys(filter).length > 0 ? (filter as EventFilter) : null;
}

/** Walked with a stack before anything recurses, so a deep document is refused without deep recursion. */
function depthProblem(filter: unknown, path: string): FilterProblem | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: filter, path, depth: 1 }];
  while (stack.length > 0) {
    const { v, path: at, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > FILTER_MAX_DEPTH) return problem(at, `nested deeper than ${FILTER_MAX_DEPTH} levels`);
    for (const [key, item] of Object.entries(v)) stack.push({ v: item, path: `${at}.${key}`, depth: depth + 1 });
  }
  return null;
}

/** A condition: a plain value (compared as it is), or an object of operators and field conditions. */
function conditionProblem(cond: unknown, path: string): FilterProblem | null {
  if (!isObject(cond)) return null;
  for (const [key, operand] of Object.entries(cond)) {
    const at = `${path}.${key}`;
    const found = key.startsWith('$') ? operatorProblem(key, operand, at) : conditionProblem(operand, at);
    if (found) return found;
  }
  return null;
}

function operatorProblem(op: string, operand: unknown, path: string): FilterProblem | null {
  if (!OPERATORS.has(op)) return problem(path, `unknown operator (use one of ${FILTER_OPERATORS.join(' ')})`);
  switch (op) {
    case '$gt': case '$gte': case '$lt': case '$lte':
      return typeof operand === 'number' || typeof operand === 'string' ? null : problem(path, 'must be a number or a string');
    case '$in': case '$nin':
      if (!Array.isArray(operand)) return problem(path, 'must be an array of strings, numbers, booleans or null');
      return listProblem(operand, path);
    case '$exists':
      return typeof operand === 'boolean' ? null : problem(path, 'must be true or false');
    case '$startsWith': case '$endsWith':
      return typeof operand === 'string' ? null : problem(path, 'must be a string');
    case '$and': case '$or':
      if (!Array.isArray(operand) || operand.length === 0) return problem(path, 'must be a non-empty array of conditions');
      for (const [i, c] of operand.entries()) {
        const found = conditionProblem(c, `${path}.${i}`);
        if (found) return found;
      }
      return null;
    case '$not': case '$contains':
      return conditionProblem(operand, path);
    default: // $eq, $neq: any JSON value, compared as it is
      return null;
  }
}

function listProblem(list: unknown[], path: string): FilterProblem | null {
  const bad = list.findIndex((item) => !isPrimitive(item));
  return bad === -1 ? null : problem(`${path}.${bad}`, 'must be a string, number, boolean or null');
}
