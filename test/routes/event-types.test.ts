import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { expectFieldError, useApp } from '../harness/use-app';

const env = useApp();
const newType = () => `route.t${randomBytes(4).toString('hex')}`;
const schema = { type: 'object', properties: { amount: { type: 'integer', minimum: 0 } }, required: ['amount'] };

describe('happy path', () => {
  test('the admin adds a type with a schema; anyone reads it; publishing checks data against it', async () => {
    const type = newType();
    const created = await env.call('POST', '/v1/event-types', { token: ADMIN_TOKEN, body: { type, description: 'x', schema, example: { amount: 1 } } });
    expect(created.status).toBe(201);
    const read = await env.call('GET', `/v1/event-types/${type}`);
    expect(await read.json()).toMatchObject({ type, schema, archived: false });
    const { id: tenantId } = await env.newTenant();
    await expectFieldError(
      await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId, type, data: { amount: -1 } } }),
      400,
      /^data\/amount: must be >= 0 \(schema rule "minimum"\)/,
    );
  });

  test('an archived type is listed only when asked, and cannot be published', async () => {
    const type = newType();
    await env.call('POST', '/v1/event-types', { token: ADMIN_TOKEN, body: { type } });
    expect((await env.call('POST', `/v1/event-types/${type}/archive`, { token: ADMIN_TOKEN })).status).toBe(200);
    const listed = (await (await env.call('GET', '/v1/event-types')).json()) as { data: { type: string }[] };
    expect(listed.data.map((t) => t.type)).not.toContain(type);
    const all = (await (await env.call('GET', '/v1/event-types?archived=true')).json()) as { data: { type: string }[] };
    expect(all.data.map((t) => t.type)).toContain(type);
    const { id: tenantId } = await env.newTenant();
    await expectFieldError(await env.call('POST', '/v1/events', { token: ADMIN_TOKEN, body: { tenantId, type, data: {} } }), 400, /^type: .*archived/);
  });
});

describe('errors', () => {
  test.each([
    [{ type: 'x', schema: { type: 'nope' } }, /^schema:/],
    [{ type: 'x', schema: { type: 'string', pattern: '(?=a)' } }, /^schema:/],
    [{ type: 'x', schema: { $ref: '#' } }, /^schema:/],
    [{ type: 'x', schema, example: { amount: 'one' } }, /^example:/],
    [{ type: 'has space' }, /^type:/],
  ])('POST /v1/event-types %j is a 400 naming the field', async (body, field) => {
    const type = newType();
    await expectFieldError(await env.call('POST', '/v1/event-types', { token: ADMIN_TOKEN, body: { ...body, type: body.type === 'x' ? type : body.type } }), 400, field);
  });

  test('a type that exists is a 409; Hookline\'s own types cannot be archived', async () => {
    const type = newType();
    await env.call('POST', '/v1/event-types', { token: ADMIN_TOKEN, body: { type } });
    expect((await env.call('POST', '/v1/event-types', { token: ADMIN_TOKEN, body: { type } })).status).toBe(409);
    expect((await env.call('POST', '/v1/event-types/webhook.test/archive', { token: ADMIN_TOKEN })).status).toBeGreaterThanOrEqual(400);
  });
});

describe('security', () => {
  test('changing the catalogue needs the admin token: a tenant key and no token are 401', async () => {
    const { apiKey } = await env.newTenant();
    for (const token of [undefined, apiKey]) {
      expect((await env.call('POST', '/v1/event-types', { token, body: { type: newType() } })).status).toBe(401);
      expect((await env.call('PATCH', '/v1/event-types/card.viewed', { token, body: { description: 'mine' } })).status).toBe(401);
    }
  });
});
