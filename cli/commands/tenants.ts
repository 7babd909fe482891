import { int, required, str } from '../args';
import type { Command } from '../command';
import { show } from '../output';

const TENANT_COLUMNS = ['id', 'name', 'createdAt'];

export const tenants: Record<string, Command> = {
  create: {
    usage: 'tenants create <id> [--name NAME]',
    summary: 'Create a tenant (admin); prints its API key, shown once',
    options: { name: 'string' },
    run: async ({ api, flags, positionals, out }) => show(out, await api.createTenant({ id: required(positionals[0], '<id>'), name: str(flags, 'name') })),
  },
  list: {
    usage: 'tenants list [--limit N] [--cursor C]',
    summary: 'List tenants in id order (admin)',
    options: { limit: 'string', cursor: 'string' },
    run: async ({ api, flags, out }) => show(out, await api.listTenants({ limit: int(flags, 'limit'), cursor: str(flags, 'cursor') }), TENANT_COLUMNS),
  },
  delete: {
    usage: 'tenants delete <id>',
    summary: 'Delete a tenant with all its endpoints, events and deliveries (admin)',
    run: async ({ api, positionals, out }) => {
      await api.deleteTenant(required(positionals[0], '<id>'));
      show(out, out.json ? { deleted: positionals[0] } : undefined);
    },
  },
};

export const keys: Record<string, Command> = {
  create: {
    usage: 'keys create <tenantId>',
    summary: 'Make another API key for a tenant (admin); shown once',
    run: async ({ api, positionals, out }) => show(out, await api.createApiKey(required(positionals[0], '<tenantId>'))),
  },
  list: {
    usage: 'keys list <tenantId>',
    summary: "List a tenant's keys (id and last characters, never the key)",
    run: async ({ api, positionals, out }) => show(out, await api.listApiKeys(required(positionals[0], '<tenantId>')), ['id', 'last4', 'createdAt']),
  },
  revoke: {
    usage: 'keys revoke <tenantId> <keyId>',
    summary: 'Revoke one API key at once (admin)',
    run: async ({ api, positionals, out }) => {
      await api.revokeApiKey(required(positionals[0], '<tenantId>'), required(positionals[1], '<keyId>'));
      show(out, out.json ? { revoked: positionals[1] } : undefined);
    },
  },
};

export const portalLink: Record<string, Command> = {
  '': {
    usage: 'portal-link <tenantId> [--ttl-seconds N]',
    summary: "Print a link to the tenant's portal (admin)",
    options: { 'ttl-seconds': 'string' },
    run: async ({ api, flags, positionals, out }) => {
      const session = await api.createPortalSession(required(positionals[0], '<tenantId>'), { ttlSeconds: int(flags, 'ttl-seconds') });
      if (out.json) show(out, session);
      else out.write(session.url);
    },
  },
};
