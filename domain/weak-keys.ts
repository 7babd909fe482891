/**
 * Imported HMAC keys that are visibly not random. A key's length says nothing of its strength:
 * 24 zero bytes or "password" three times pass a length rule and fall to the first guess. Random
 * bytes never meet these rules (24 random bytes hold about 23 distinct values), so no real key is refused.
 */

/** At least this many distinct byte values in a key. */
export const MIN_DISTINCT_KEY_BYTES = 10;

/** The shortest period of `bytes` (its length when it does not repeat). */
function period(bytes: Uint8Array): number {
  // Knuth-Morris-Pratt failure function: the longest proper prefix that is also a suffix.
  const fail = new Array<number>(bytes.length).fill(0);
  for (let i = 1, k = 0; i < bytes.length; i++) {
    while (k > 0 && bytes[i] !== bytes[k]) k = fail[k - 1]!;
    if (bytes[i] === bytes[k]) k++;
    fail[i] = k;
  }
  return bytes.length - (fail[bytes.length - 1] ?? 0);
}

/** Why `bytes` is too weak to be a signing key, naming the rule, or null. */
export function weakKeyProblem(bytes: Uint8Array): string | null {
  const distinct = new Set(bytes).size;
  if (distinct === 1) return 'must not be one byte repeated (low entropy)';
  const p = period(bytes);
  if (p <= bytes.length / 2) return `must not be a short sequence repeated (it repeats every ${p} bytes; low entropy)`;
  if (distinct < MIN_DISTINCT_KEY_BYTES) return `must hold at least ${MIN_DISTINCT_KEY_BYTES} distinct byte values (it holds ${distinct}; low entropy)`;
  return null;
}
