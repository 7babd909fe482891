import { randomBytes } from 'node:crypto';
import { createSql, withTenant, type Sql } from '../../db/sql';
import { appLogin } from '../../tools/testkit/app-login';

// A process frozen in the middle of a tenant transaction (SIGSTOP, a frozen VM, a stalled event loop)
// must not hold its row locks for as long as it is frozen: another worker waiting on the same endpoint's
// rate-limit row or statistics rows would send nothing meanwhile (rate-limit-stall.test.ts). Here the
// stalled client is simply one that goes quiet inside its transaction.

const owner = process.env.HOOKLINE_TEST_DATABASE_URL!;
let admin: Sql;
let stalledPool: Sql;
let otherPool: Sql;
beforeAll(() => {
  admin = createSql(owner, { max: 1 });
  stalledPool = createSql(appLogin(owner), { max: 1 });
  otherPool = createSql(appLogin(owner), { max: 1 });
});
afterAll(async () => {
  await Promise.all([admin, stalledPool, otherPool].map((s) => s?.end({ timeout: 5 })));
});

test('a tenant transaction whose client goes quiet is ended after 5 s, and its row locks with it', async () => {
  const tenantId = `stall-${randomBytes(4).toString('hex')}`;
  const endpointId = `ep_${tenantId}`;
  await admin`insert into tenants (id) values (${tenantId})`;
  await admin`insert into endpoints (id, tenant_id, url, event_types) values (${endpointId}, ${tenantId}, 'https://example.com/hook', '{*}')`;

  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => (locked = resolve));
  const stalled = withTenant(stalledPool, tenantId, async (tx) => {
    await tx`update endpoints set description = 'stalled' where id = ${endpointId}`;
    locked();
    await new Promise((r) => setTimeout(r, 12_000)); // quiet, holding the row
    await tx`select 1`;
  });
  const stalledOutcome = stalled.then(() => 'committed', () => 'ended');
  await lockTaken;
  const t0 = Date.now();
  await withTenant(otherPool, tenantId, (tx) => tx`update endpoints set description = 'other' where id = ${endpointId}`);
  const waitedMs = Date.now() - t0;

  expect(waitedMs).toBeGreaterThan(3_000);
  expect(waitedMs).toBeLessThan(9_000);
  expect(await stalledOutcome).toBe('ended');
  expect((await admin<{ description: string }[]>`select description from endpoints where id = ${endpointId}`)[0]!.description).toBe('other');
  // The pool of the ended session connects again for the next transaction.
  await withTenant(stalledPool, tenantId, (tx) => tx`select 1`);
}, 30_000);
