import { endpointAuthProblem, parseTokenAnswer, tokenUsableUntil, authView, basicAuthorization } from '../../domain/endpoint-auth';
import { createTokenCache } from '../../temporal/activities/deliver/destinations/oauth2-tokens';
import { withCustomHeaders } from '../../temporal/activities/deliver/destinations/http';

describe('endpoint auth input', () => {
  test.each([
    [{ type: 'basic', username: 'hook', password: 'pw' }],
    [{ type: 'bearer', token: 'abc.DEF-123_~+/=' }],
    [{ type: 'oauth2', tokenUrl: 'https://auth.example.com/token', clientId: 'id', clientSecret: 's', scope: 'a b', audience: 'https://api' }],
  ])('%j is accepted', (auth) => expect(endpointAuthProblem(auth)).toBeNull());

  test.each<[unknown, string]>([
    ['basic', 'auth'],
    [{ type: 'digest' }, 'auth.type'],
    [{ type: 'basic', username: 'u' }, 'auth.password'],
    [{ type: 'basic', username: 'a:b', password: 'p' }, 'auth.username'],
    [{ type: 'basic', username: 'u', password: 'p\r\nX-Evil: 1' }, 'auth.password'],
    [{ type: 'basic', username: 'u', password: 'p', token: 't' }, 'auth.token'],
    [{ type: 'bearer', token: '' }, 'auth.token'],
    [{ type: 'bearer', token: 'has space' }, 'auth.token'],
    [{ type: 'oauth2', clientId: 'i', clientSecret: 's' }, 'auth.tokenUrl'],
    [{ type: 'oauth2', tokenUrl: 'ftp://x/token', clientId: 'i', clientSecret: 's' }, 'auth.tokenUrl'],
    [{ type: 'oauth2', tokenUrl: 'https://u:p@x/token', clientId: 'i', clientSecret: 's' }, 'auth.tokenUrl'],
    [{ type: 'oauth2', tokenUrl: 'not a url', clientId: 'i', clientSecret: 's' }, 'auth.tokenUrl'],
    [{ type: 'oauth2', tokenUrl: 'https://x/token', clientId: 5, clientSecret: 's' }, 'auth.clientId'],
    [{ type: 'oauth2', tokenUrl: 'https://x/token', clientId: 'i', clientSecret: 's', scope: '' }, 'auth.scope'],
  ])('%j is refused naming %s', (auth, field) => expect(endpointAuthProblem(auth)?.[0]).toBe(field));

  test('answers show no secret', () => {
    expect(authView({ type: 'basic', username: 'u', password: 'p' })).toEqual({ type: 'basic', username: 'u' });
    expect(authView({ type: 'bearer', token: 't' })).toEqual({ type: 'bearer' });
    expect(authView({ type: 'oauth2', tokenUrl: 'https://x/t', clientId: 'i', clientSecret: 's' })).toEqual({ type: 'oauth2', tokenUrl: 'https://x/t', clientId: 'i' });
  });

  test('basic auth is base64 of user:password (RFC 7617)', () => {
    expect(basicAuthorization('Aladdin', 'open sesame')).toBe('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
  });
});

describe('token answers', () => {
  test.each<[unknown, unknown]>([
    [{ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 }, { accessToken: 'tok', expiresIn: 3600 }],
    [{ access_token: 'tok', token_type: 'bearer', expires_in: '60' }, { accessToken: 'tok', expiresIn: 60 }],
    [{ access_token: 'tok' }, { accessToken: 'tok' }],
    [{ access_token: '' }, null],
    [{ access_token: 'tok', token_type: 'mac' }, null],
    [{ access_token: 'tok', expires_in: -1 }, null],
    [{ access_token: 'to\nk' }, null],
    ['tok', null],
    [null, null],
  ])('%j reads as %j', (answer, expected) => expect(parseTokenAnswer(answer)).toEqual(expected));

  test('a token is used until shortly before it expires: a tenth of its life early, at most a minute', () => {
    expect(tokenUsableUntil(1_000, 10)).toBe(1_000 + 9_000);
    expect(tokenUsableUntil(0, 3600)).toBe(3_540_000);
    expect(tokenUsableUntil(0, undefined)).toBe(270_000);
  });
});

describe('the token cache', () => {
  let clock = 0;
  const now = () => clock;
  const issue = (token: string, expiresIn = 100) => jest.fn(async () => ({ accessToken: token, expiresIn }));

  beforeEach(() => {
    clock = 0;
  });

  test('concurrent misses share one request; later calls use the cached token until it is stale', async () => {
    const cache = createTokenCache(now);
    const request = issue('t1');
    const tokens = await Promise.all(Array.from({ length: 10 }, () => cache.token('ep_1', 'sealed-a', request)));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(request).toHaveBeenCalledTimes(1);
    clock = 89_000;
    expect(await cache.token('ep_1', 'sealed-a', request)).toBe('t1');
    expect(request).toHaveBeenCalledTimes(1);
    clock = 90_000;
    const renewed = issue('t2');
    expect(await cache.token('ep_1', 'sealed-a', renewed)).toBe('t2');
    expect(renewed).toHaveBeenCalledTimes(1);
  });

  test('a changed secret (another sealed auth) gets a new token at once', async () => {
    const cache = createTokenCache(now);
    await cache.token('ep_1', 'sealed-a', issue('t1'));
    expect(await cache.token('ep_1', 'sealed-b', issue('t2'))).toBe('t2');
  });

  test('a refused token is forgotten once: concurrent refusals share one new request', async () => {
    const cache = createTokenCache(now);
    await cache.token('ep_1', 's', issue('t1'));
    const next = issue('t2');
    cache.forget('ep_1', 't1');
    const again = await Promise.all([cache.token('ep_1', 's', next), (cache.forget('ep_1', 't1'), cache.token('ep_1', 's', next))]);
    expect(again).toEqual(['t2', 't2']);
    expect(next).toHaveBeenCalledTimes(1);
    cache.forget('ep_1', 't1'); // the old token again: the new one stays
    expect(await cache.token('ep_1', 's', issue('t3'))).toBe('t2');
  });

  test('a failed request is not cached: the next send asks again', async () => {
    const cache = createTokenCache(now);
    const failing = jest.fn(async () => {
      throw new Error('down');
    });
    await expect(cache.token('ep_1', 's', failing)).rejects.toThrow('down');
    expect(await cache.token('ep_1', 's', issue('t1'))).toBe('t1');
  });
});

describe('the Authorization header among the others', () => {
  const own = { 'content-type': 'application/json', 'webhook-signature': 'v1,abc', 'x-sig': 'sha256=ab' };
  test("the endpoint's auth replaces a custom Authorization header in any letter case", () => {
    const sent = withCustomHeaders({ AUTHORIZATION: 'Bearer custom', 'X-Team': 'a' }, own, 'Basic dTpw');
    expect(sent).toEqual({ 'X-Team': 'a', authorization: 'Basic dTpw', ...own });
  });
  test("it never shadows what Hookline sets: a legacy header named Authorization keeps Hookline's value", () => {
    const sent = withCustomHeaders({}, { ...own, Authorization: 'sha256=legacy' }, 'Bearer tok');
    expect(sent).toEqual({ ...own, Authorization: 'sha256=legacy' });
  });
  test('without auth the custom header is sent as before', () => {
    expect(withCustomHeaders({ Authorization: 'Bearer custom' }, own)).toEqual({ Authorization: 'Bearer custom', ...own });
  });
});
