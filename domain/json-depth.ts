/**
 * What Postgres (text and jsonb) cannot store, or the runtime cannot walk, in producer input:
 * a NUL, a lone UTF-16 surrogate (JSON.parse accepts "\ud800"; jsonb refuses it), too much nesting.
 */

const LONE_SURROGATE = /\p{Cs}/u;

/** Why a string cannot be stored as text, or null when it can. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  return null;
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text Hookline did not choose (a receiver's, broker's or token endpoint's words, cut to a length)
 * made storable as text and jsonb: NULs left out, a lone surrogate (half an emoji at a cut) as U+FFFD.
 */
export function storable(text: string): string {
  return text.replace(/\0/g, '').replace(LONE_SURROGATES, '\uFFFD');
}

/** `value` with every string in it (keys too) made `storable`. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableJson(v)]));
  return value;
}

/**
 * Why a parsed JSON value cannot be stored as jsonb, or null when it can. Walked with an explicit
 * stack, never recursion or argument spreading, so neither depth nor width can overflow the call stack.
 */
export function jsonProblem(value: unknown, maxDepth: number): string | null {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return problem;
    } else if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
      for (const [key, item] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
        const problem = typeof key === 'string' ? textProblem(key) : null;
        if (problem) return `a key ${problem}`;
        values.push(item);
        depths.push(depth + 1);
      }
    }
  }
  return null;
}
