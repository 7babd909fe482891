import { openApiProblems } from '../harness/openapi';
import { useApp } from '../harness/use-app';

const env = useApp();

type Doc = { components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> }; paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; $ref?: string } }> } }>> };

test('the OpenAPI document describes filter and channels on endpoints, channels on events and the channel search', async () => {
  const doc = (await (await env.call('GET', '/openapi.json')).json()) as Doc;
  expect(openApiProblems(doc)).toEqual([]);
  const endpoint = doc.components.schemas.Endpoint!.properties;
  expect(endpoint.filter?.description).toMatch(/filter/);
  expect(endpoint.channels).toBeDefined();
  const body = (path: string, method: string) => doc.paths[path]![method]!.requestBody!.content['application/json']!.schema.properties!;
  expect(Object.keys(body('/v1/webhooks', 'post'))).toEqual(expect.arrayContaining(['filter', 'channels']));
  expect(Object.keys(body('/v1/webhooks/{id}', 'patch'))).toEqual(expect.arrayContaining(['filter', 'channels']));
  expect(Object.keys(body('/v1/events', 'post'))).toContain('channels');
  expect(doc.paths['/v1/deliveries']!.get!.parameters!.map((p) => p.name)).toContain('channel');
  expect(doc.paths['/v1/events']!.get!.parameters!.map((p) => p.name)).toContain('channel');
});

test('a filter given on create is answered as given, keys untouched', async () => {
  const { apiKey } = await env.newTenant();
  const filter = { data: { order_id: { $startsWith: 'A-' }, Customer_Tier: { $in: ['gold', null] } }, $not: { channels: 'test' } };
  const res = await env.call('POST', '/v1/webhooks', { token: apiKey, body: { url: 'http://receiver.example/hook', filter, channels: ['eu'] } });
  expect(res.status).toBe(201);
  expect(await res.json()).toMatchObject({ filter, channels: ['eu'] });
});
