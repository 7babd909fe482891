/** How the CLI prints: aligned tables for people, `--json` for scripts, colour only on a terminal. */

export interface Output {
  json: boolean;
  colour: boolean;
  write(text: string): void;
}

export function createOutput(json: boolean, stream: NodeJS.WriteStream = process.stdout): Output {
  const colour = Boolean(stream.isTTY) && !process.env.NO_COLOR;
  return { json, colour, write: (text) => void stream.write(text.endsWith('\n') ? text : `${text}\n`) };
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2 } as const;
export function paint(out: Output, colour: keyof typeof CODES, text: string): string {
  return out.colour ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text;
}

export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Rows as an aligned table with the given columns (key, or [key, heading]). */
export function table(rows: Record<string, unknown>[], columns: (string | [string, string])[]): string {
  const cols: [string, string][] = columns.map((c) => (typeof c === 'string' ? [c, c] : c));
  const cells = [cols.map(([, heading]) => heading.toUpperCase()), ...rows.map((row) => cols.map(([key]) => cell(row[key])))];
  const widths = cols.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** Prints an answer: JSON as is with --json, else a table of `data` (lists) or key/value lines. */
export function show(out: Output, answer: unknown, columns?: (string | [string, string])[]): void {
  if (out.json) return out.write(JSON.stringify(answer, null, 2));
  if (answer === undefined || answer === null) return;
  const record = answer as Record<string, unknown>;
  if (Array.isArray(record.data) && columns) {
    out.write(record.data.length ? table(record.data as Record<string, unknown>[], columns) : paint(out, 'dim', '(none)'));
    if (record.nextCursor) out.write(paint(out, 'dim', `more: --cursor ${record.nextCursor}`));
    return;
  }
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  out.write(Object.entries(record).map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join('\n'));
}
