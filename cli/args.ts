import { parseArgs } from 'node:util';

/** A usage mistake: printed with the command's help, exit code 2. */
export class UsageError extends Error {}

export type Flags = Record<string, string | boolean | undefined>;

/** `--name value` and `--flag` options of one command, and its positional arguments. */
export function parse(argv: string[], options: Record<string, 'string' | 'boolean'>): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(Object.entries(options).map(([name, type]) => [name, { type }])),
        json: { type: 'boolean' },
        'api-url': { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return { flags: values as Flags, positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function int(flags: Flags, name: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
}

export function list(flags: Flags, name: string): string[] | undefined {
  return str(flags, name)?.split(',').map((s) => s.trim()).filter(Boolean);
}

export function bool(flags: Flags, name: string): boolean | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw new UsageError(`--${name} must be true or false`);
  return v === 'true';
}
