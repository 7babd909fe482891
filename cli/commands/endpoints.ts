import { UsageError, bool, int, list, required, str, type Flags } from '../args';
import type { Command } from '../command';
import { show } from '../output';

const COLUMNS = ['id', 'url', 'events', 'enabled', ['consecutiveFailures', 'failures'] as [string, string], 'description'];
const FIELDS = { url: 'string', events: 'string', description: 'string', enabled: 'string', 'rate-limit': 'string', 'max-in-flight': 'string', ordering: 'string', filter: 'string', channels: 'string' } as const;

/** --filter '<json>' (null clears it) and --channels a,b ('' clears them): docs/api/filters-and-channels.md. */
function filterFlags(flags: Flags) {
  const text = str(flags, 'filter');
  let filter: Record<string, unknown> | null | undefined;
  try {
    filter = text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown> | null);
  } catch {
    throw new UsageError('--filter must be JSON, e.g. \'{"data":{"amount":{"$gte":100}}}\'');
  }
  return { filter, channels: list(flags, 'channels') };
}

function endpointFields(flags: Flags) {
  const fields = {
    url: str(flags, 'url'),
    events: list(flags, 'events'),
    description: str(flags, 'description'),
    enabled: bool(flags, 'enabled'),
    rateLimit: str(flags, 'rate-limit') === undefined ? undefined : Number(str(flags, 'rate-limit')),
    maxInFlight: int(flags, 'max-in-flight'),
    ordering: str(flags, 'ordering') as 'unordered' | 'fifo' | undefined,
    ...filterFlags(flags),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export const endpoints: Record<string, Command> = {
  create: {
    usage: 'endpoints create --url URL [--events a,b] [--description D] [--rate-limit N] [--max-in-flight N] [--ordering fifo] [--filter JSON] [--channels a,b]',
    summary: 'Add an endpoint (tenant key); prints its secret, shown once',
    options: FIELDS,
    run: async ({ api, flags, out }) => show(out, await api.createWebhook({ ...endpointFields(flags), url: required(str(flags, 'url'), '--url') })),
  },
  list: {
    usage: 'endpoints list',
    summary: "List the tenant's endpoints",
    run: async ({ api, out }) => show(out, await api.listWebhooks(), COLUMNS),
  },
  get: {
    usage: 'endpoints get <id>',
    summary: 'Show one endpoint',
    run: async ({ api, positionals, out }) => show(out, await api.getWebhook(required(positionals[0], '<id>'))),
  },
  update: {
    usage: 'endpoints update <id> [--url URL] [--events a,b] [--description D] [--enabled true|false] [--rate-limit N] [--max-in-flight N] [--ordering O] [--filter JSON|null] [--channels a,b|\'\']',
    summary: 'Change an endpoint; --enabled true re-enables it and resets its failure count',
    options: FIELDS,
    run: async ({ api, flags, positionals, out }) => show(out, await api.updateWebhook(required(positionals[0], '<id>'), endpointFields(flags))),
  },
  delete: {
    usage: 'endpoints delete <id>',
    summary: 'Delete an endpoint and its delivery log',
    run: async ({ api, positionals, out }) => {
      await api.deleteWebhook(required(positionals[0], '<id>'));
      show(out, out.json ? { deleted: positionals[0] } : undefined);
    },
  },
  test: {
    usage: 'endpoints test <id>',
    summary: 'Send a webhook.test event to the endpoint',
    run: async ({ api, positionals, out }) => show(out, await api.testWebhook(required(positionals[0], '<id>'))),
  },
  rotate: {
    usage: 'endpoints rotate <id> [--grace-seconds N]',
    summary: 'Rotate the signing secret; the old one signs beside it for the grace (default a day)',
    options: { 'grace-seconds': 'string' },
    run: async ({ api, flags, positionals, out }) => show(out, await api.rotateKey(required(positionals[0], '<id>'), { graceSeconds: int(flags, 'grace-seconds') })),
  },
};

export const recover: Record<string, Command> = {
  '': {
    usage: 'recover <endpointId> --since TIME [--until TIME] [--statuses failed,skipped] [--idempotency-key K]',
    summary: "Re-send an endpoint's failed or skipped deliveries in a time range",
    options: { since: 'string', until: 'string', statuses: 'string', 'idempotency-key': 'string' },
    run: async ({ api, flags, positionals, out }) => {
      const input = { since: required(str(flags, 'since'), '--since'), until: str(flags, 'until'), statuses: list(flags, 'statuses') as ('failed' | 'skipped')[] | undefined };
      show(out, await api.recoverWebhook(required(positionals[0], '<endpointId>'), input, { idempotencyKey: str(flags, 'idempotency-key') }));
    },
  },
};
