import { int, required, str } from '../args';
import type { Command } from '../command';
import { show } from '../output';
import { tail } from './tail';

const COLUMNS = ['id', 'status', ['attemptCount', 'attempts'] as [string, string], 'eventType', 'endpointId', 'createdAt'];
const FILTERS = { endpoint: 'string', 'event-id': 'string', 'event-type': 'string', channel: 'string', status: 'string', kind: 'string', since: 'string', until: 'string' } as const;

export const deliveries: Record<string, Command> = {
  list: {
    usage: 'deliveries list [--endpoint ID] [--status S] [--event-type T] [--event-id E] [--channel C] [--kind K] [--since TIME] [--until TIME] [--limit N] [--cursor C]',
    summary: "Search the tenant's deliveries, newest first",
    options: { ...FILTERS, limit: 'string', cursor: 'string' },
    run: async ({ api, flags, out }) => {
      const query = {
        endpointId: str(flags, 'endpoint'), eventId: str(flags, 'event-id'), eventType: str(flags, 'event-type'), channel: str(flags, 'channel'), status: str(flags, 'status'),
        kind: str(flags, 'kind'), since: str(flags, 'since'), until: str(flags, 'until'), limit: int(flags, 'limit'), cursor: str(flags, 'cursor'),
      };
      show(out, await api.searchDeliveries(query), COLUMNS);
    },
  },
  get: {
    usage: 'deliveries get <id>',
    summary: 'Show a delivery with every attempt',
    run: async ({ api, positionals, out }) => {
      const delivery = await api.getDelivery(required(positionals[0], '<id>'));
      if (out.json) return show(out, delivery);
      const { attempts, ...rest } = delivery;
      show(out, rest);
      out.write('');
      show(out, { data: attempts }, ['attempt', 'startedAt', 'durationMs', ['responseStatus', 'status'], 'error', 'nextRetryAt']);
    },
  },
  redeliver: {
    usage: 'deliveries redeliver <id>',
    summary: 'Send a delivery again',
    run: async ({ api, positionals, out }) => show(out, await api.redeliver(required(positionals[0], '<id>'))),
  },
  tail: {
    usage: 'deliveries tail [--endpoint ID] [--event-type T] [--channel C] [--status S] [--since TIME] [--interval MS] [--once]',
    summary: 'Follow deliveries live, one line per attempt (--once: print what is there and stop)',
    options: { ...FILTERS, interval: 'string', once: 'boolean' },
    run: tail,
  },
};
