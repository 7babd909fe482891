/** Depth of a parsed JSON value, measured without recursion (so a hostile body cannot blow the stack). */
export function jsonDepth(value: unknown, limit: number): number {
  let depth = 0;
  let level: unknown[] = [value];
  while (level.length > 0) {
    const next: unknown[] = [];
    for (const v of level) {
      if (v !== null && typeof v === 'object') next.push(...(Array.isArray(v) ? v : Object.values(v)));
    }
    if (next.length === 0 && !level.some((v) => v !== null && typeof v === 'object')) break;
    depth += 1;
    if (depth > limit) return depth;
    level = next;
  }
  return depth;
}
