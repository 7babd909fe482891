import { HooklineApiError, HooklineClient } from '../api/client';
import { parse, UsageError } from './args';
import type { Command, CommandTable } from './command';
import { deliveries } from './commands/deliveries';
import { endpoints, recover } from './commands/endpoints';
import { events } from './commands/events';
import { keys, portalLink, tenants } from './commands/tenants';
import { createOutput } from './output';

export const COMMANDS: CommandTable = { tenants, keys, endpoints, events, deliveries, recover, 'portal-link': portalLink };

const GLOBAL_HELP = `hookline: the Hookline API from a terminal

Usage: hookline <group> <command> [arguments] [--json] [--api-url URL] [--token TOKEN]

The API's address and credential come from --api-url/--token or HOOKLINE_URL/HOOKLINE_TOKEN
(the admin token for tenants, keys, events publish and portal-link; a tenant's API key for
endpoints, deliveries and recover). Tables by default, --json for scripts. An error answer
exits 1 with its code and message; a usage mistake exits 2.
`;

function help(): string {
  const lines = Object.values(COMMANDS).flatMap((group) => Object.values(group).map((c) => `  hookline ${c.usage}\n      ${c.summary}`));
  return `${GLOBAL_HELP}\nCommands:\n${lines.join('\n')}\n`;
}

function find(argv: string[]): { command: Command; rest: string[] } | undefined {
  const group = COMMANDS[argv[0] ?? ''];
  if (!group) return undefined;
  if (group['']) return { command: group['']!, rest: argv.slice(1) };
  const command = group[argv[1] ?? ''];
  return command ? { command, rest: argv.slice(2) } : undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs one command line; resolves to the process's exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const found = find(argv);
  if (!found) {
    const wanted = argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help';
    (wanted ? process.stdout : process.stderr).write(wanted ? help() : `hookline: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${help()}`);
    return wanted ? 0 : 2;
  }
  const { command, rest } = found;
  try {
    const { flags, positionals } = parse(rest, command.options ?? {});
    if (flags.help) {
      process.stdout.write(`Usage: hookline ${command.usage}\n\n${command.summary}\n`);
      return 0;
    }
    const url = (flags['api-url'] as string | undefined) ?? env.HOOKLINE_URL ?? 'http://127.0.0.1:3000';
    const token = (flags.token as string | undefined) ?? env.HOOKLINE_TOKEN;
    if (!token) throw new UsageError('no credential: set HOOKLINE_TOKEN or pass --token');
    const stopped = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await command.run({ api: new HooklineClient({ baseUrl: url, token }), flags, positionals, out: createOutput(flags.json === true), readStdin, stopped });
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`hookline: ${err.message}\nUsage: hookline ${command.usage}\n`);
      return 2;
    }
    if (err instanceof HooklineApiError) {
      process.stderr.write(`hookline: ${err.status} ${err.code}: ${err.message.replace(/^\d+ [a-z_]+: /, '')}\n`);
      return 1;
    }
    process.stderr.write(`hookline: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
