import type { SchemaValidateFunction, FuncKeywordDefinition } from 'ajv/dist/types';

/**
 * `uniqueItems` in linear time. ajv's own compares every pair of items with a deep equality when the
 * items may be arrays or objects: `[[0],[1],…,[14999]]` (109 KB) held the event loop 2.4–4.8 s per
 * publish. Here each item is written once in a canonical form (object keys sorted) and looked up in
 * a Map: the same verdict as JSON Schema's equality (1 and 1.0 are one number in parsed JSON).
 */
/** Punctuation queued on the walk's stack, told apart from the data's own strings. */
class Text {
  constructor(readonly text: string) {}
}

function canonical(value: unknown): string {
  const parts: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v instanceof Text) {
      parts.push(v.text);
    } else if (Array.isArray(v)) {
      parts.push('[');
      stack.push(new Text(']'));
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i], ...(i > 0 ? [new Text(',')] : []));
    } else if (typeof v === 'object' && v !== null) {
      parts.push('{');
      stack.push(new Text('}'));
      const keys = Object.keys(v).sort();
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push((v as Record<string, unknown>)[keys[i]!], new Text(`${JSON.stringify(keys[i])}:`), ...(i > 0 ? [new Text(',')] : []));
      }
    } else {
      parts.push(JSON.stringify(v) ?? 'null');
    }
  }
  return parts.join('');
}

/** Exported for tests: equal JSON values (keys in any order) give one string, different ones different strings. */
export const canonicalJson = canonical;

const unique: SchemaValidateFunction = (schema: boolean, data: unknown[]): boolean => {
  if (!schema) return true;
  const seen = new Map<string, number>();
  for (let j = 0; j < data.length; j++) {
    const key = canonical(data[j]);
    const i = seen.get(key);
    if (i !== undefined) {
      unique.errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${i} and ${j} are identical)`, params: { i, j } }];
      return false;
    }
    seen.set(key, j);
  }
  return true;
};

export const linearUniqueItems: FuncKeywordDefinition = { keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate: unique };
