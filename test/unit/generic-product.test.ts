import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { CatalogueError, parseCatalogue } from '../../domain/event-catalogue';
import { generateEd25519Key, importedSecretProblem, signWithKeys, verifyAsymmetricWebhook } from '../../domain/endpoint-keys';
import { CUSTOM_HEADER_LIMITS, customHeadersProblem } from '../../domain/header-names';
import { compilePayloadSchema, describeViolation, firstViolation } from '../../domain/json-schema';
import { effectiveSettings, formatSchedule } from '../../domain/tenant-settings';
import { parseRetrySchedule } from '../../domain/duration';
import { loadConfig } from '../../infra/config';
import { readFileSync } from 'node:fs';
import path from 'node:path';

describe('custom header rules', () => {
  const problem = (h: Record<string, string>) => customHeadersProblem(h, ['X-Guardian-Signature']);
  test('allow ordinary and credential headers', () => {
    expect(problem({ Authorization: 'Bearer x', 'X-Team': 'core', 'X-Empty': '' })).toBeNull();
  });
  test.each([
    ['Connection', 'close'], ['keep-alive', '1'], ['Transfer-Encoding', 'chunked'], ['TE', 'trailers'], ['Upgrade', 'h2c'], ['Host', 'x'],
    ['Proxy-Authorization', 'x'], ['Content-Length', '1'], ['content-type', 'x'], ['Webhook-Id', 'x'], ['user-agent', 'x'],
    ['x-guardian-signature', 'x'],
  ])('refuse %s, naming it', (name, value) => {
    expect(problem({ [name]: value })?.[0]).toBe(`headers.${name}`);
  });
  test('refuse bad names, control characters, repeats and excess', () => {
    expect(problem({ 'X Y': 'v' })?.[1]).toMatch(/RFC 7230 token/);
    expect(problem({ ['X'.repeat(CUSTOM_HEADER_LIMITS.nameLength + 1)]: 'v' })).not.toBeNull();
    for (const v of ['a\rb', 'a\nb', 'a\0b', 'a\x07b']) expect(problem({ 'X-A': v })?.[1]).toMatch(/CR, LF, NUL/);
    expect(problem({ 'X-A': 'v'.repeat(CUSTOM_HEADER_LIMITS.valueLength + 1) })).not.toBeNull();
    expect(problem({ 'X-A': '1', 'x-a': '2' })?.[1]).toMatch(/twice/);
    expect(problem(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-${i}`, 'v'])))).toEqual(['headers', 'at most 20 headers']);
    expect(problem(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-${i}`, 'v'.repeat(900)])))?.[1]).toMatch(/8192 bytes/);
  });
});

describe('schema errors', () => {
  const validate = compilePayloadSchema({ type: 'object', required: ['a/b'], properties: { n: { type: 'object', properties: { c: { type: 'integer' } } } } });
  test('name the JSON pointer and the failing rule', () => {
    expect(validate({ 'a/b': 1, n: { c: 'x' } })).toBe(false);
    expect(describeViolation(firstViolation(validate.errors))).toBe('data/n/c: must be integer (schema rule "type")');
  });
  test('point at an extra property itself', () => {
    const closed = compilePayloadSchema({ type: 'object', properties: { a: { type: 'object', additionalProperties: false } } });
    expect(closed({ a: { 'x~y': 1 } })).toBe(false);
    expect(describeViolation(firstViolation(closed.errors))).toBe('data/a/x~0y: is not allowed (schema rule "additionalProperties")');
  });
  test('point at a missing property itself, escaped as RFC 6901 says', () => {
    expect(validate({})).toBe(false);
    expect(describeViolation(firstViolation(validate.errors))).toBe('data/a~1b: is required (schema rule "required")');
  });
  test('refuse what is not a JSON Schema', () => {
    expect(() => compilePayloadSchema({ type: 'nope' })).toThrow(/not a valid JSON Schema/);
    expect(() => compilePayloadSchema([1])).toThrow(/an object or a boolean/);
    expect(() => compilePayloadSchema({ $ref: '#/nowhere' })).toThrow(/not a usable JSON Schema/);
  });
  test('a schema $id does not collide when the type is compiled again', () => {
    const s = { $id: 'https://example.com/x', type: 'string' };
    expect(compilePayloadSchema(s)('a')).toBe(true);
    expect(compilePayloadSchema(s)(1)).toBe(false);
  });
});

describe('the catalogue file', () => {
  test('the shipped file parses: the nine seed types, each example matching its schema', () => {
    const file = path.join(__dirname, '../../deploy/event-types.yaml');
    const types = parseCatalogue(readFileSync(file, 'utf8'), file);
    expect(types.map((t) => t.name)).toHaveLength(9);
    for (const t of types) expect(compilePayloadSchema(t.schema)(t.example)).toBe(true);
  });
  test('JSON works as well as YAML', () => {
    expect(parseCatalogue('{"eventTypes":[{"type":"a.b"}]}', 'x.json')).toEqual([{ name: 'a.b', description: '', schema: null, example: null }]);
  });
  test.each([
    ['eventTypes: 3', /top-level "eventTypes" list/],
    ['eventTypes: [{ type: "bad name" }]', /eventTypes\[0\]\.type: must be dotted words/],
    ['eventTypes: [{ type: a.b }, { type: a.b }]', /eventTypes\[1\]\.type: a\.b is listed twice/],
    ['eventTypes: [{ type: a.b, colour: red }]', /eventTypes\[0\]\.colour: unknown field/],
    ['eventTypes: [{ type: a.b, schema: { type: nope } }]', /eventTypes\[0\]\.schema: not a valid JSON Schema/],
    ['eventTypes: [{ type: a.b, schema: { type: string }, example: 1 }]', /eventTypes\[0\]\.example: does not match/],
    ['eventTypes: [ { type: a.b ', /not valid YAML/],
  ])('refuses %j, naming the entry and field', (text, message) => {
    expect(() => parseCatalogue(text, 'types.yaml')).toThrow(CatalogueError);
    expect(() => parseCatalogue(text, 'types.yaml')).toThrow(message);
  });
});

describe('endpoint keys', () => {
  const id = 'msg_1';
  const ts = 1_700_000_000;
  const body = '{"a":1}';

  test('an imported secret is whsec_ and the base64 of 24 to 64 bytes', () => {
    expect(importedSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeNull();
    expect(importedSecretProblem(`whsec_${randomBytes(64).toString('base64')}`)).toBeNull();
    expect(importedSecretProblem(`whsec_${Buffer.alloc(23).toString('base64')}`)).toMatch(/24 to 64 bytes/);
    expect(importedSecretProblem(`whsec_${Buffer.alloc(65).toString('base64')}`)).toMatch(/24 to 64 bytes/);
    expect(importedSecretProblem('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toMatch(/whsec_/);
    expect(importedSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8I-PZIo2LaLaSw')).toMatch(/base64/);
  });

  test('v1a signs ed25519 over "<id>.<timestamp>.<body>", verifiable with the whpk_ key alone', () => {
    const { privateKey, publicKey } = generateEd25519Key();
    const headers = signWithKeys({ keys: [{ scheme: 'v1a', secret: privateKey }], id, timestampSeconds: ts, body });
    const [version, sig] = headers['webhook-signature']!.split(',');
    expect(version).toBe('v1a');
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey.slice(5), 'base64').toString('base64url') }, format: 'jwk' });
    expect(verify(null, Buffer.from(`${id}.${ts}.${body}`), key, Buffer.from(sig!, 'base64'))).toBe(true);
    // The receiver-side helper agrees, and refuses other bytes, another key, a stale timestamp.
    expect(verifyAsymmetricWebhook(publicKey, headers, body, ts)).toBe(true);
    expect(verifyAsymmetricWebhook(publicKey, headers, '{"a":2}', ts)).toBe(false);
    expect(verifyAsymmetricWebhook(generateEd25519Key().publicKey, headers, body, ts)).toBe(false);
    expect(verifyAsymmetricWebhook(publicKey, headers, body, ts + 301)).toBe(false);
  });

  test('mixed keys each sign by their scheme; the legacy header comes from a v1 newest key only', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const { privateKey } = generateEd25519Key();
    const legacy = { header: 'X-DevCard-Signature', format: 'sha256=hex' as const };
    const now = Math.floor(Date.now() / 1000);
    const v1First = signWithKeys({ keys: [{ scheme: 'v1', secret }, { scheme: 'v1a', secret: privateKey }], id, timestampSeconds: now, body, legacy });
    expect(v1First['webhook-signature']!.split(' ').map((s) => s.split(',')[0])).toEqual(['v1', 'v1a']);
    expect(v1First['x-devcard-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    // A v1-only receiver (the standardwebhooks package) skips the v1a signature beside its own.
    expect(new Webhook(secret).verify(body, v1First)).toEqual({ a: 1 });
    const v1aFirst = signWithKeys({ keys: [{ scheme: 'v1a', secret: privateKey }, { scheme: 'v1', secret }], id, timestampSeconds: ts, body, legacy });
    expect(v1aFirst['x-devcard-signature']).toBeUndefined();
    const hex = signWithKeys({ keys: [{ scheme: 'v1', secret }], id, timestampSeconds: ts, body, legacy: { header: 'X-Sig', format: 'hex' } });
    expect(hex['x-sig']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('tenant settings', () => {
  const defaults = { legacySignatureHeader: 'X-Guardian-Signature', retryScheduleMs: [1_000], disableAfterFailures: 10, publishPerSecond: 50 };
  const unset = { fairnessWeight: null, circuitFailures: null, circuitWindowMs: null, circuitCoolDownMs: null };
  test('null inherits the deployment, "none" turns the legacy header off, a value overrides (0 too)', () => {
    expect(effectiveSettings({ legacySignature: null, retryScheduleMs: null, disableAfterFailures: null, publishPerSecond: null, ...unset }, defaults)).toEqual({
      legacySignature: { header: 'X-Guardian-Signature', format: 'sha256=hex' }, retryScheduleMs: [1_000], disableAfterFailures: 10, publishPerSecond: 50, fairnessWeight: 1,
    });
    expect(effectiveSettings({ legacySignature: 'none', retryScheduleMs: [5], disableAfterFailures: 2, publishPerSecond: 0, ...unset, fairnessWeight: 4 }, defaults)).toEqual({
      legacySignature: null, retryScheduleMs: [5], disableAfterFailures: 2, publishPerSecond: 0, fairnessWeight: 4,
    });
  });
  test('a schedule reads back as it is written', () => {
    for (const text of ['30s,5m,30m', '1s,5s,25s', '100ms,1500ms,2h,1d']) expect(formatSchedule(parseRetrySchedule(text))).toBe(text);
  });
});

describe('HOOKLINE_EVENT_TYPES_FILE', () => {
  test('defaults to the shipped catalogue and takes a .yaml, .yml or .json file', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).eventTypesFile).toBe(path.resolve(__dirname, '../../deploy/event-types.yaml'));
    expect(loadConfig({ NODE_ENV: 'test', HOOKLINE_EVENT_TYPES_FILE: '/etc/hookline/types.json' }).eventTypesFile).toBe('/etc/hookline/types.json');
    expect(() => loadConfig({ NODE_ENV: 'test', HOOKLINE_EVENT_TYPES_FILE: 'types.txt' })).toThrow(/^HOOKLINE_EVENT_TYPES_FILE: expected a \.yaml/);
  });
});
