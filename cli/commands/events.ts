import { readFile } from 'node:fs/promises';
import { int, list, required, str, UsageError } from '../args';
import type { Command, CommandContext } from '../command';
import { show } from '../output';

/** The event's data: JSON from the argument, from --file, or from stdin (`-`, or no argument with piped input). */
async function readData({ flags, positionals, readStdin }: CommandContext): Promise<unknown> {
  const file = str(flags, 'file');
  const text = file ? await readFile(file, 'utf8') : positionals[0] !== undefined && positionals[0] !== '-' ? positionals[0] : !process.stdin.isTTY || positionals[0] === '-' ? await readStdin() : undefined;
  if (text === undefined) throw new UsageError('missing the event data: a JSON argument, --file FILE, or JSON on stdin');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the event data is not JSON: ${(err as Error).message}`);
  }
}

export const events: Record<string, Command> = {
  publish: {
    usage: "events publish --tenant ID --type TYPE [--id EVENT_ID] [--channels a,b] ['{\"json\":1}' | --file FILE | - ]",
    summary: 'Publish an event for a tenant (admin)',
    options: { tenant: 'string', type: 'string', id: 'string', file: 'string', channels: 'string' },
    run: async (ctx) => {
      const { api, flags, out } = ctx;
      const input = { tenantId: required(str(flags, 'tenant'), '--tenant'), type: required(str(flags, 'type'), '--type'), id: str(flags, 'id'), channels: list(flags, 'channels'), data: await readData(ctx) };
      show(out, await api.publish(input));
    },
  },
  list: {
    usage: 'events list [--type T] [--channel C] [--since TIME] [--until TIME] [--limit N] [--cursor C] [--tenant ID (admin)]',
    summary: 'List events, newest first (no payloads)',
    options: { type: 'string', channel: 'string', since: 'string', until: 'string', limit: 'string', cursor: 'string', tenant: 'string' },
    run: async ({ api, flags, out }) => {
      const query = { type: str(flags, 'type'), channel: str(flags, 'channel'), since: str(flags, 'since'), until: str(flags, 'until'), limit: int(flags, 'limit'), cursor: str(flags, 'cursor'), tenantId: str(flags, 'tenant') };
      show(out, await api.listEvents(query), ['id', 'type', 'createdAt']);
    },
  },
  get: {
    usage: 'events get <id> [--tenant ID (admin)]',
    summary: 'Show an event with its payload and deliveries',
    options: { tenant: 'string' },
    run: async ({ api, flags, positionals, out }) => show(out, await api.getEvent(required(positionals[0], '<id>'), { tenantId: str(flags, 'tenant') })),
  },
};
