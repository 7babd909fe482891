import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { expectFieldError, useApp } from '../harness/use-app';

const env = useApp();

describe('happy path', () => {
  test('the admin creates a tenant and reads it back; its API key is shown once', async () => {
    const { id, apiKey } = await env.newTenant();
    expect(apiKey).toMatch(/^hk_/);
    const res = await env.call('GET', `/v1/tenants/${id}`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id });
    expect(JSON.stringify(body)).not.toContain(apiKey);
  });

  test('a tenant setting is saved and answered with what applies', async () => {
    const { id } = await env.newTenant();
    const res = await env.call('PATCH', `/v1/tenants/${id}/settings`, { token: ADMIN_TOKEN, body: { retrySchedule: '30s,5m,30m' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ retrySchedule: '30s,5m,30m' });
  });
});

describe('errors', () => {
  test.each([
    [{ id: 'bad id' }, /^id:/],
    [{ id: 'ok', extra: 1 }, /extra: unknown field/],
    ['{"id":', /malformed JSON/],
  ])('POST /v1/tenants %j is a 400 naming the field', async (body, field) => {
    await expectFieldError(await env.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body }), 400, field);
  });

  test('a second tenant with the same id is a 409', async () => {
    const { id } = await env.newTenant();
    expect((await env.call('POST', '/v1/tenants', { token: ADMIN_TOKEN, body: { id } })).status).toBe(409);
  });

  test.each([
    [{ retrySchedule: 'soon' }, /^retrySchedule:/],
    [{ disableAfterFailures: 0 }, /^disableAfterFailures:/],
    [{ legacySignature: { header: 'Authorization' } }, /^legacySignature/],
  ])('PATCH settings %j is a 400 naming the setting', async (body, field) => {
    const { id } = await env.newTenant();
    await expectFieldError(await env.call('PATCH', `/v1/tenants/${id}/settings`, { token: ADMIN_TOKEN, body }), 400, field);
  });

  test('an unknown tenant is a 404', async () => {
    expect((await env.call('GET', '/v1/tenants/no-such-tenant', { token: ADMIN_TOKEN })).status).toBe(404);
  });
});

describe('security', () => {
  test('no token, a wrong token and a tenant key are each a 401 on the admin routes', async () => {
    const { apiKey } = await env.newTenant();
    for (const token of [undefined, 'wrong-token-wrong-token', apiKey]) {
      const res = await env.call('POST', '/v1/tenants', { token, body: { id: 'x' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  test('a listed API key shows its last characters, never the key', async () => {
    const { id, apiKey } = await env.newTenant();
    const res = await env.call('GET', `/v1/tenants/${id}/api-keys`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain(apiKey);
  });
});
