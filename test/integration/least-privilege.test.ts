import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { dropDatabase } from '../../db/migrate';
import { createSql, withTenant, type Sql } from '../../db/sql';
import { startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';

// What a single SQL injection in the API or a worker could reach: the app's own connection, as the
// database sees it. Every tenant-owned table must stay shut to it without a tenant, and no role switch
// may lift that.
const TENANT_TABLES = ['api_keys', 'attempts', 'deliveries', 'delivery_stats', 'delivery_stats_changes', 'delivery_stats_daily', 'delivery_stats_hourly', 'endpoint_secrets', 'endpoints', 'events', 'outbox', 'tenant_settings'];

let stack: Stack;
let app: Sql;
let receiver: Receiver;
beforeAll(async () => {
  stack = await startStack();
  app = createSql(stack.config.databaseUrl, { max: 1 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await app?.end();
  await receiver?.close();
  await stack?.stop();
});

test('the API and workers connect as a login role that is not a superuser, cannot bypass RLS and owns nothing', async () => {
  const [me] = await app<{ user: string; superuser: boolean; bypassRls: boolean; owned: number }[]>`
    select current_user as user, r.rolsuper as superuser, r.rolbypassrls as bypass_rls,
      (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
    from pg_roles r where r.rolname = current_user`;
  expect(me).toEqual({ user: 'hookline_app', superuser: false, bypassRls: false, owned: 0 });
});

test('RESET ROLE and SET ROLE to the owner do not lift row-level security', async () => {
  await app.begin(async (tx) => {
    await tx`reset role`;
    expect((await tx<{ user: string }[]>`select current_user as user`)[0]!.user).toBe('hookline_app');
  });
  await expect(app.begin((tx) => tx`set role postgres`)).rejects.toThrow(/permission denied/);
  await expect(app.begin((tx) => tx`set session authorization postgres`)).rejects.toThrow(/permission denied/);
});

test('with no tenant set, the app sees no row of any tenant table', async () => {
  const tenant = await stack.newTenant();
  const endpoint = await tenant.api.createWebhook({ url: receiver.url });
  await stack.admin.updateTenantSettings(tenant.id, { disableAfterFailures: 3 });
  await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
  await waitFor(async () => (await tenant.api.listDeliveries(endpoint.id)).data[0]?.status === 'success', { what: 'the delivery' });
  for (const table of TENANT_TABLES) {
    const [row] = await app<{ n: number }[]>`select count(*)::int as n from ${app(table)}`;
    expect({ table, n: row!.n }).toEqual({ table, n: 0 });
  }
  // The owner does see them: RLS alone hid them.
  const [owned] = await stack.sql<{ n: number }[]>`select count(*)::int as n from endpoints where tenant_id = ${tenant.id}`;
  expect(owned!.n).toBe(1);
});

test('a delivery, secret or attempt that points at another tenant’s endpoint or delivery is refused by a foreign key', async () => {
  const a = await stack.newTenant('a');
  const b = await stack.newTenant('b');
  const endpointOfA = await a.api.createWebhook({ url: receiver.url });
  await stack.admin.publish({ tenantId: a.id, type: 'card.viewed', data: {} });
  const [deliveryOfA] = (await a.api.listDeliveries(endpointOfA.id)).data;
  const asB = (fn: Parameters<typeof withTenant>[2]) => withTenant(app, b.id, fn);
  await expect(
    asB(async (tx) => {
      await tx`insert into events (tenant_id, id, type, data) values (${b.id}, 'evt_b', 'card.viewed', '{}')`;
      await tx`insert into deliveries (id, tenant_id, endpoint_id, event_id, kind) values ('dlv_forged', ${b.id}, ${endpointOfA.id}, 'evt_b', 'event')`;
    }),
  ).rejects.toThrow(/foreign key/);
  await expect(
    asB((tx) => tx`insert into endpoint_secrets (endpoint_id, tenant_id, ciphertext, fingerprint) values (${endpointOfA.id}, ${b.id}, 'x', 'x')`),
  ).rejects.toThrow(/foreign key/);
  await expect(
    asB((tx) => tx`insert into attempts (delivery_id, tenant_id, attempt, started_at, duration_ms) values (${deliveryOfA!.id}, ${b.id}, 9, now(), 1)`),
  ).rejects.toThrow(/foreign key/);
});

test('the cross-tenant paths work as the app role only through their narrow functions', async () => {
  // API keys resolve (tenant auth). (/metrics counts nothing across tenants: it reads catalogue estimates.)
  const tenant = await stack.newTenant();
  expect((await tenant.api.listWebhooks()).data).toEqual([]);
  // Only the app role may call them (not PUBLIC, the default for a new function).
  const definers = await stack.sql<{ name: string; callers: string[] }[]>`
    select p.proname as name, array(
      select case when a.grantee = 0 then 'PUBLIC' else a.grantee::regrole::text end from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
      where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner order by 1) as callers
    from pg_proc p where p.prosecdef and p.pronamespace = current_schema()::regnamespace`;
  expect(definers.length).toBeGreaterThan(0);
  for (const d of definers) expect(d).toEqual({ name: d.name, callers: ['hookline_app'] });
});

test('in production, a superuser or owner connection is refused at start', async () => {
  await expect(startStack({ NODE_ENV: 'production', DATABASE_URL: stack.config.migrationDatabaseUrl }, { worker: false })).rejects.toThrow(
    /DATABASE_URL: .*superuser/,
  );
});

test('npm run migrate works as the owner (DATABASE_MIGRATION_URL) and gives hookline_app the password in DATABASE_URL', async () => {
  const database = (url: string, user: string, password = '') => {
    const u = new URL(url);
    u.pathname = `${u.pathname}_migrate_roles`;
    u.username = user;
    u.password = password;
    return u.toString();
  };
  const owner = database(stack.config.migrationDatabaseUrl, new URL(stack.config.migrationDatabaseUrl).username);
  const env = { PATH: process.env.PATH, DATABASE_URL: database(stack.config.databaseUrl, 'hookline_app', 'app-pass-123'), DATABASE_MIGRATION_URL: owner };
  try {
    // NODE_ENV and the encryption key unset: migrating never needs the key.
    const { stdout } = await promisify(execFile)(path.join(__dirname, '../../node_modules/.bin/tsx'), ['bin/migrate.ts'], { cwd: path.join(__dirname, '../..'), env });
    expect(stdout).toMatch(/applied 001_init\.sql, 002_outbox\.sql, 003_least_privilege\.sql/);
    expect(stdout).toMatch(/hookline_app may log in with the password in DATABASE_URL/);
    const [role] = await stack.sql<{ hasPassword: boolean }[]>`select rolpassword is not null as has_password from pg_authid where rolname = 'hookline_app'`;
    expect(role!.hasPassword).toBe(true);
  } finally {
    // The local server trusts every login; leave the cluster-wide role as the migrations made it.
    await stack.sql`alter role hookline_app password null`;
    await dropDatabase(owner, (u) => createSql(u, { max: 1 }));
  }
});
