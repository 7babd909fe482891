import { createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveApi } from '../../api/server';
import { createSql } from '../../db/sql';
import { createLogger } from '../../infra/logger';
import { loadCatalogueFile } from '../../services/event-types';
import { Webhook } from 'standardwebhooks';
import { HooklineClient } from '../../api/client';
import { startReceiver, type Received, type Receiver } from '../../tools/testkit/receiver';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { waitFor } from '../../tools/testkit/wait';
import { expectError } from '../harness/expect-error';

// One deployment serving both seed products (the e-signature service's X-Guardian-Signature is the
// deployment's default; the card app's tenants set X-DevCard-Signature), plus event types as data,
// custom headers, imported secrets and ed25519 (v1a) endpoints, all on the real stack.
let stack: Stack;
const receivers: Receiver[] = [];

beforeAll(async () => {
  stack = await startStack({ HOOKLINE_LEGACY_SIGNATURE_HEADER: 'X-Guardian-Signature', HOOKLINE_RETRY_SCHEDULE: '100ms,200ms,300ms' });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await stack?.stop();
});

async function receiver(fallback = 200) {
  const r = await startReceiver(fallback);
  receivers.push(r);
  return r;
}

const hmacHex = (secret: string, body: string) => createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(body).digest('hex');
const uniqueType = (what: string) => `t${randomBytes(4).toString('hex')}.${what}`;

async function finalDelivery(api: Stack['admin'], endpointId: string, eventId: string) {
  return waitFor(async () => {
    const d = (await api.listDeliveries(endpointId, { limit: 100 })).data.find((x) => x.eventId === eventId);
    return d && d.status !== 'pending' && api.getDelivery(d.id);
  }, { what: `the delivery of ${eventId}` });
}

describe('per-tenant settings', () => {
  test('one deployment delivers each product’s tenants with its own legacy header, both verified', async () => {
    const guardianRx = await receiver();
    const devcardRx = await receiver();
    const signing = await stack.newTenant('esign');
    const cards = await stack.newTenant('cards');
    const updated = await stack.admin.updateTenantSettings(cards.id, { legacySignature: { header: 'X-DevCard-Signature', format: 'sha256=hex' } });
    expect(updated.effective.legacySignature).toEqual({ header: 'X-DevCard-Signature', format: 'sha256=hex' });
    // The e-signature tenant set nothing: the deployment's header applies.
    expect((await stack.admin.getTenantSettings(signing.id)).effective.legacySignature).toEqual({ header: 'X-Guardian-Signature', format: 'sha256=hex' });

    const a = await signing.api.createWebhook({ url: guardianRx.url, events: ['signing.completed'] });
    const b = await cards.api.createWebhook({ url: devcardRx.url, events: ['card.viewed'] });
    await stack.admin.publish({ tenantId: signing.id, type: 'signing.completed', data: { documentId: 'doc_1', signerIds: ['sgn_1'] } });
    await stack.admin.publish({ tenantId: cards.id, type: 'card.viewed', data: { cardId: 'card_1', viewer: { country: 'DE' } } });
    const [ga] = await guardianRx.waitForRequests(1);
    const [dc] = await devcardRx.waitForRequests(1);

    expect(ga!.headers['x-guardian-signature']).toBe(`sha256=${hmacHex(a.secret, ga!.body)}`);
    expect(ga!.headers['x-devcard-signature']).toBeUndefined();
    expect(dc!.headers['x-devcard-signature']).toBe(`sha256=${hmacHex(b.secret, dc!.body)}`);
    expect(dc!.headers['x-guardian-signature']).toBeUndefined();
    // And the Standard Webhooks signature of each verifies as well.
    expect(new Webhook(a.secret).verify(ga!.body, ga!.headers as Record<string, string>)).toMatchObject({ type: 'signing.completed' });
    expect(new Webhook(b.secret).verify(dc!.body, dc!.headers as Record<string, string>)).toMatchObject({ type: 'card.viewed' });
  });

  test('"none" turns the legacy header off for a tenant; the bare-hex format sends the hex alone', async () => {
    const rx = await receiver();
    const quiet = await stack.newTenant('quiet');
    await stack.admin.updateTenantSettings(quiet.id, { legacySignature: 'none' });
    await quiet.api.createWebhook({ url: rx.url, events: ['card.viewed'] });
    await stack.admin.publish({ tenantId: quiet.id, type: 'card.viewed', data: {} });
    const hexRx = await receiver();
    const hex = await stack.newTenant('hex');
    await stack.admin.updateTenantSettings(hex.id, { legacySignature: { header: 'X-Sig', format: 'hex' } });
    const e = await hex.api.createWebhook({ url: hexRx.url, events: ['card.viewed'] });
    await stack.admin.publish({ tenantId: hex.id, type: 'card.viewed', data: {} });

    const [q] = await rx.waitForRequests(1);
    expect(Object.keys(q!.headers).filter((h) => h.endsWith('-signature'))).toEqual(['webhook-signature']);
    const [h] = await hexRx.waitForRequests(1);
    expect(h!.headers['x-sig']).toBe(hmacHex(e.secret, h!.body));
  });

  test('a tenant’s retry schedule and disable threshold override the deployment’s', async () => {
    const failing = await receiver(500);
    const tenant = await stack.newTenant('sched');
    await stack.admin.updateTenantSettings(tenant.id, { retrySchedule: '50ms', disableAfterFailures: 1 });
    const endpoint = await tenant.api.createWebhook({ url: failing.url, events: ['card.viewed'] });
    const { id } = await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const delivery = await finalDelivery(tenant.api, endpoint.id, id);
    // The tenant's one delay: two attempts, where the deployment's three delays would make four.
    expect(delivery.attempts.map((x) => x.attempt)).toEqual([1, 2]);
    const disabled = await waitFor(async () => {
      const e = await tenant.api.getWebhook(endpoint.id);
      return !e.enabled && e;
    }, { what: 'the endpoint disabled after one failed delivery' });
    expect(disabled).toMatchObject({ disabledReason: 'consecutive_failures', consecutiveFailures: 1 });
  });

  test('settings are validated as strictly as the environment, and null returns to the default', async () => {
    const tenant = await stack.newTenant('val');
    await expectError(stack.admin.updateTenantSettings(tenant.id, { legacySignature: { header: 'Content-Length' } }), 400, /legacySignature\.header: /);
    await expectError(stack.admin.updateTenantSettings(tenant.id, { legacySignature: { header: 'X Bad' } }), 400, /legacySignature\.header: /);
    await expectError(stack.admin.updateTenantSettings(tenant.id, { retrySchedule: '5 minutes' }), 400, /retrySchedule: .*not a duration/);
    await expectError(stack.admin.updateTenantSettings(tenant.id, { retrySchedule: '1s,25d' }), 400, /retrySchedule: .*at most 7d/);
    await expectError(stack.admin.updateTenantSettings(tenant.id, { disableAfterFailures: 0 }), 400, /disableAfterFailures: /);
    await expectError(stack.admin.updateTenantSettings('no-such-tenant', { disableAfterFailures: 3 }), 404);
    await expectError(tenant.api.getTenantSettings(tenant.id), 401);

    const set = await stack.admin.updateTenantSettings(tenant.id, { retrySchedule: '30s,5m,30m' });
    expect(set).toMatchObject({ retrySchedule: '30s,5m,30m', effective: { retrySchedule: '30s,5m,30m', disableAfterFailures: 10 } });
    const back = await stack.admin.updateTenantSettings(tenant.id, { retrySchedule: null });
    expect(back).toMatchObject({ retrySchedule: null, legacySignature: null, effective: { retrySchedule: '100ms,200ms,300ms' } });
  });
});

describe('event types as data', () => {
  const orderSchema = {
    type: 'object',
    required: ['orderId', 'amount'],
    properties: { orderId: { type: 'string' }, amount: { type: 'object', properties: { cents: { type: 'integer', minimum: 0 } } } },
  };

  test('the seed catalogue is served to anyone, with schemas and examples', async () => {
    const res = await fetch(`${stack.api.url}/v1/event-types`);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { type: string; schema: unknown; example: unknown }[] };
    const names = data.map((t) => t.type);
    for (const t of ['signing.completed', 'policy.violated', 'signer.created', 'signer.updated', 'signer.revoked', 'card.viewed', 'contact.saved', 'webhook.test', 'webhook.disabled']) {
      expect(names).toContain(t);
    }
    expect(data.find((t) => t.type === 'signing.completed')).toMatchObject({ schema: { type: 'object' }, example: { documentId: expect.any(String) } });
  });

  test('a publish whose data breaks the type’s schema is a 400 naming the JSON pointer and the rule', async () => {
    const tenant = await stack.newTenant();
    const type = uniqueType('order.paid');
    const created = await stack.admin.createEventType({ type, description: 'An order was paid.', schema: orderSchema, example: { orderId: 'o1', amount: { cents: 100 } } });
    expect(created).toMatchObject({ type, archived: false, schema: orderSchema });

    await expectError(stack.admin.publish({ tenantId: tenant.id, type, data: { orderId: 'o1', amount: { cents: -1 } } }), 400, /data\/amount\/cents: must be >= 0 \(schema rule "minimum"\)/);
    await expectError(stack.admin.publish({ tenantId: tenant.id, type, data: { amount: {} } }), 400, /data\/orderId: is required \(schema rule "required"\)/);
    await expectError(stack.admin.publish({ tenantId: tenant.id, type, data: [1] }), 400, /data: must be object \(schema rule "type"\)/);
    // The seed types validate too.
    await expectError(stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { cardId: 42 } }), 400, /data\/cardId: must be string/);
    expect(await stack.admin.publish({ tenantId: tenant.id, type, data: { orderId: 'o2', amount: { cents: 5 } } })).toEqual({ id: expect.any(String) });

    // A changed schema applies to the next publish (the example must still match it); null removes it.
    await expectError(stack.admin.updateEventType(type, { schema: { type: 'object', required: ['currency'] } }), 400, /example: does not match/);
    await stack.admin.updateEventType(type, { schema: { type: 'object', required: ['currency'] }, example: { currency: 'EUR' } });
    await expectError(stack.admin.publish({ tenantId: tenant.id, type, data: { orderId: 'o3' } }), 400, /data\/currency: is required/);
    await stack.admin.updateEventType(type, { schema: null });
    expect(await stack.admin.publish({ tenantId: tenant.id, type, data: [1] })).toEqual({ id: expect.any(String) });
  });

  test('a schema that is not JSON Schema, or an example it refuses, is a 400 naming the field', async () => {
    const type = uniqueType('bad');
    await expectError(stack.admin.createEventType({ type, schema: { type: 'nope' } }), 400, /^400 invalid_request: schema: not a valid JSON Schema/);
    await expectError(stack.admin.createEventType({ type, schema: { properties: 5 } }), 400, /schema: /);
    await expectError(stack.admin.createEventType({ type, schema: orderSchema, example: { orderId: 1 } }), 400, /example: does not match the schema/);
    await expectError(stack.admin.createEventType({ type: 'not a name' }), 400, /type: /);
    await expectError(stack.admin.createEventType({ type: 'card.viewed' }), 409);
    await expectError(stack.admin.withToken('hk_nope').createEventType({ type }), 401);
    await expectError(stack.admin.updateEventType(uniqueType('missing'), { description: 'x' }), 404);
    await expectError(stack.admin.archiveEventType('webhook.disabled'), 400, /sent by Hookline/);
  });

  test('an archived type is refused for publishing and new subscriptions; an existing subscription keeps working', async () => {
    const rx = await receiver();
    const tenant = await stack.newTenant();
    const type = uniqueType('legacy.thing');
    await stack.admin.createEventType({ type, description: 'Going away.' });
    const endpoint = await tenant.api.createWebhook({ url: rx.url, events: [type, 'contact.saved'] });
    const before = await stack.admin.publish({ tenantId: tenant.id, type, data: { n: 1 } });
    const first = await finalDelivery(tenant.api, endpoint.id, before.id);
    expect(first.status).toBe('success');

    const archived = await stack.admin.archiveEventType(type);
    expect(archived).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    expect((await stack.admin.eventTypes()).data.map((t) => t.type)).not.toContain(type);
    expect((await stack.admin.eventTypes({ archived: true })).data.map((t) => t.type)).toContain(type);

    await expectError(stack.admin.publish({ tenantId: tenant.id, type, data: { n: 2 } }), 400, /type: .* is archived/);
    await expectError(tenant.api.createWebhook({ url: rx.url, events: [type] }), 400, /events: .* is archived/);
    await expectError(tenant.api.updateWebhook(endpoint.id, { events: [type] }), 400, /events: .* is archived/);

    // The endpoint that subscribed before is untouched: other changes work, its other types and a
    // redelivery of the archived type's event still arrive.
    expect((await tenant.api.updateWebhook(endpoint.id, { description: 'still here' })).events).toEqual([type, 'contact.saved']);
    const other = await stack.admin.publish({ tenantId: tenant.id, type: 'contact.saved', data: {} });
    expect((await finalDelivery(tenant.api, endpoint.id, other.id)).status).toBe('success');
    await tenant.api.redeliver(first.id);
    await rx.waitForRequests(3);
    expect(rx.requests.filter((r) => JSON.parse(r.body).type === type)).toHaveLength(2);

    // Restoring it makes it publishable again.
    await stack.admin.updateEventType(type, { archived: false });
    expect(await stack.admin.publish({ tenantId: tenant.id, type, data: { n: 3 } })).toEqual({ id: expect.any(String) });
  });

  test('another API process sees a new or archived type within about a second', async () => {
    const sql = createSql(stack.config.databaseUrl, { max: 2 });
    const other = await serveApi({ config: stack.config, sql, log: createLogger('silent'), metrics: stack.metrics }, 0, '127.0.0.1');
    try {
      const viaOther = new HooklineClient({ baseUrl: other.url, token: ADMIN_TOKEN });
      const tenant = await stack.newTenant();
      const type = uniqueType('elsewhere');
      const publishOnOther = () => viaOther.publish({ tenantId: tenant.id, type, data: {} }).then(() => true, () => false);
      expect(await publishOnOther()).toBe(false); // the other process has read the catalogue without it
      await stack.admin.createEventType({ type });
      await waitFor(publishOnOther, { what: 'the other API to accept the new type', timeoutMs: 5_000 });
      await stack.admin.archiveEventType(type);
      await waitFor(async () => !(await publishOnOther()), { what: 'the other API to refuse the archived type', timeoutMs: 5_000 });
    } finally {
      await other.close();
      await sql.end();
    }
  });

  test('the catalogue file creates its types and keeps them in step, until an admin changes one', async () => {
    const [a, b] = [uniqueType('a'), uniqueType('b')];
    const file = path.join(os.tmpdir(), `hookline-types-${randomBytes(4).toString('hex')}.yaml`);
    const write = (description: string) =>
      writeFileSync(file, `eventTypes:\n  - { type: ${a}, description: ${description} }\n  - { type: ${b}, description: ${description}, schema: { type: object } }\n`);
    write('first');
    expect(await loadCatalogueFile(stack.sql, file)).toEqual({ types: 2, created: 2, updated: 0 });
    expect(await loadCatalogueFile(stack.sql, file)).toEqual({ types: 2, created: 0, updated: 0 });
    await stack.admin.updateEventType(a, { description: 'the admin’s' });
    write('second');
    expect(await loadCatalogueFile(stack.sql, file)).toEqual({ types: 2, created: 0, updated: 1 });
    expect((await stack.admin.getEventType(a)).description).toBe('the admin’s');
    expect((await stack.admin.getEventType(b)).description).toBe('second');
  });

  test('a catalogue file that is missing or invalid stops the API’s start, naming the variable', async () => {
    const bad = path.join(os.tmpdir(), `hookline-types-${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(bad, 'eventTypes: [{ type: x.y, schema: { type: nope } }]');
    const start = (eventTypesFile: string) =>
      serveApi({ config: { ...stack.config, eventTypesFile }, sql: stack.sql, log: createLogger('silent'), metrics: stack.metrics }, 0, '127.0.0.1');
    await expect(start(bad)).rejects.toThrow(/^HOOKLINE_EVENT_TYPES_FILE: .*eventTypes\[0\]\.schema: not a valid JSON Schema/);
    await expect(start('/nowhere/types.yaml')).rejects.toThrow(/^HOOKLINE_EVENT_TYPES_FILE: .*no such file/);
  });

  test('data is delivered with its keys as published (snake_case stays snake_case)', async () => {
    const rx = await receiver();
    const tenant = await stack.newTenant();
    await tenant.api.createWebhook({ url: rx.url, events: ['signing.completed'] });
    await stack.admin.publish({ tenantId: tenant.id, type: 'signing.completed', data: { document_id: 'doc_1', nested: { signer_id: 's' } } });
    const [r] = await rx.waitForRequests(1);
    expect(JSON.parse(r!.body).data).toEqual({ document_id: 'doc_1', nested: { signer_id: 's' } });
  });
});

describe('endpoints: custom headers, imported secrets, ed25519', () => {
  test('custom headers arrive on every attempt; bad ones are a 400 naming the header', async () => {
    const rx = await receiver();
    rx.script(503);
    const tenant = await stack.newTenant();
    const endpoint = await tenant.api.createWebhook({ url: rx.url, events: ['card.viewed'], headers: { Authorization: 'Bearer rcv_1', 'X-Team': 'core' } });
    expect(endpoint.headers).toEqual({ Authorization: 'Bearer rcv_1', 'X-Team': 'core' });
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const sent = await rx.waitForRequests(2);
    for (const r of sent) expect(r.headers).toMatchObject({ authorization: 'Bearer rcv_1', 'x-team': 'core', 'content-type': 'application/json' });

    const bad: [Record<string, string>, RegExp][] = [
      [{ Connection: 'close' }, /headers\.Connection: must not be a hop-by-hop/],
      [{ 'webhook-signature': 'v1,forged' }, /headers\.webhook-signature: /],
      [{ 'Content-Type': 'text/plain' }, /headers\.Content-Type: /],
      [{ 'X-Guardian-Signature': 'sha256=00' }, /headers\.X-Guardian-Signature: is the legacy signature header/],
      [{ 'X-Ok': 'a\r\nX-Injected: 1' }, /headers\.X-Ok: the value must not hold CR, LF/],
      [{ 'Bad Name': 'x' }, /headers\.Bad Name: the name must be an HTTP header name/],
      [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, 'v'])), /headers: at most 20 headers/],
    ];
    for (const [headers, message] of bad) await expectError(tenant.api.createWebhook({ url: rx.url, headers }), 400, message);
    await expectError(tenant.api.updateWebhook(endpoint.id, { headers: { Host: 'evil' } }), 400, /headers\.Host: /);
    expect((await tenant.api.updateWebhook(endpoint.id, { headers: {} })).headers).toEqual({});
  });

  test('an imported Svix-style secret keeps signing: the standardwebhooks package verifies it', async () => {
    const rx = await receiver();
    const tenant = await stack.newTenant();
    const svixSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const endpoint = await tenant.api.createWebhook({ url: rx.url, events: ['card.viewed'], secret: svixSecret });
    expect(endpoint.secret).toBe(svixSecret);
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { cardId: 'c1' } });
    const [r] = await rx.waitForRequests(1);
    expect(new Webhook(svixSecret).verify(r!.body, r!.headers as Record<string, string>)).toMatchObject({ data: { cardId: 'c1' } });

    // Rotation takes one too; during the grace both verify.
    const next = `whsec_${randomBytes(32).toString('base64')}`;
    expect(await tenant.api.rotateKey(endpoint.id, { secret: next, graceSeconds: 3600 })).toEqual({ secret: next });
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const [, second] = await rx.waitForRequests(2);
    for (const s of [svixSecret, next]) expect(() => new Webhook(s).verify(second!.body, second!.headers as Record<string, string>)).not.toThrow();

    for (const secret of ['whsec_short', 'sk_live_abc', `whsec_${randomBytes(16).toString('base64')}`, `whsec_${randomBytes(80).toString('base64')}`, 'whsec_!!!!']) {
      await expectError(tenant.api.createWebhook({ url: rx.url, secret }), 400, /^400 invalid_request: secret: /);
    }
    await expectError(tenant.api.createWebhook({ url: rx.url, secret: svixSecret, signatureScheme: 'v1a' }), 400, /secret: /);
  });

  test('a v1a endpoint signs with ed25519: its public key verifies the exact bytes received', async () => {
    const rx = await receiver();
    const tenant = await stack.newTenant();
    await stack.admin.updateTenantSettings(tenant.id, { legacySignature: { header: 'X-DevCard-Signature' } });
    const endpoint = await tenant.api.createWebhook({ url: rx.url, events: ['card.viewed'], signatureScheme: 'v1a' });
    expect(endpoint).toMatchObject({ signatureScheme: 'v1a', publicKey: expect.stringMatching(/^whpk_[A-Za-z0-9+/]{43}=$/) });
    expect(endpoint).not.toHaveProperty('secret');
    expect(await tenant.api.getPublicKey(endpoint.id)).toEqual({ signatureScheme: 'v1a', publicKey: endpoint.publicKey });
    expect((await tenant.api.getWebhook(endpoint.id)).publicKey).toBe(endpoint.publicKey);

    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: { cardId: 'c1' } });
    const [r] = await rx.waitForRequests(1);
    expect(verifiesV1a(r!, endpoint.publicKey!)).toBe(true);
    expect(verifiesV1a({ ...r!, body: r!.body.replace('c1', 'c2') }, endpoint.publicKey!)).toBe(false);
    // The legacy header is an HMAC: there is no shared secret to make it with.
    expect(r!.headers['x-devcard-signature']).toBeUndefined();

    // Rotating to a new key pair: both keys sign through the grace.
    const { publicKey: next } = await tenant.api.rotateKey(endpoint.id, { signatureScheme: 'v1a', graceSeconds: 3600 });
    await stack.admin.publish({ tenantId: tenant.id, type: 'card.viewed', data: {} });
    const [, second] = await rx.waitForRequests(2);
    expect(String(second!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifiesV1a(second!, next!)).toBe(true);
    expect(verifiesV1a(second!, endpoint.publicKey!)).toBe(true);
    // A rotation that names no scheme keeps the endpoint's.
    const kept = await tenant.api.rotateKey(endpoint.id, { graceSeconds: 0 });
    expect(kept).toEqual({ publicKey: expect.stringMatching(/^whpk_/) });
    expect(await tenant.api.getWebhook(endpoint.id)).toMatchObject({ signatureScheme: 'v1a', publicKey: kept.publicKey });

    const v1 = await tenant.api.createWebhook({ url: rx.url, events: ['contact.saved'] });
    await expectError(tenant.api.getPublicKey(v1.id), 409);
    // The private key is stored sealed, never as the key itself.
    const rows = await stack.sql<{ ciphertext: string }[]>`select ciphertext from endpoint_secrets where endpoint_id = ${endpoint.id}`;
    for (const row of rows) expect(row.ciphertext).toMatch(/^v1\./);
  });
});

/** A receiver's check of a v1a signature: ed25519 over "<id>.<timestamp>.<body>" with the published key. */
function verifiesV1a(r: Received, publicKey: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url') }, format: 'jwk' });
  const signed = Buffer.from(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`);
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((s) => s.startsWith('v1a,') && verify(null, signed, key, Buffer.from(s.slice(4), 'base64')));
}
