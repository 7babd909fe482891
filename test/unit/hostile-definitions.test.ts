import { compilePayloadSchema, payloadViolation } from '../../domain/json-schema';
import { parseRetrySchedule } from '../../domain/duration';
import { parseInstant } from '../../domain/instant';
import { withCustomHeaders } from '../../temporal/activities/deliver/destinations/http';

// Admin- and producer-supplied definitions that must not stall, crash or mislead the API.

describe('payload schemas', () => {
  test('a backtracking pattern runs in linear time (RE2), in pattern and patternProperties', () => {
    const validate = compilePayloadSchema({
      type: 'object',
      properties: { s: { type: 'string', pattern: '^(a+)+$' } },
      patternProperties: { '^(a|a)*$': { type: 'string' } },
    });
    const started = Date.now();
    expect(payloadViolation(validate, { s: `${'a'.repeat(40)}!` })).toMatchObject({ pointer: '/s', keyword: 'pattern' });
    expect(payloadViolation(validate, { [`${'a'.repeat(40)}b`]: 'x' })).toBeNull();
    expect(payloadViolation(validate, { s: 'aaa' })).toBeNull();
    // V8's backtracking engine takes minutes on these inputs; RE2 microseconds.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('patterns RE2 cannot run (lookaround, backreferences) are refused when the schema is saved', () => {
    expect(() => compilePayloadSchema({ type: 'string', pattern: '(?=a)a' })).toThrow(/not a usable JSON Schema/);
    expect(() => compilePayloadSchema({ type: 'string', pattern: '(a)\\1' })).toThrow(/not a usable JSON Schema/);
  });

  test('a schema that refers to itself with nothing in between is refused, not a stack overflow at publish', () => {
    for (const schema of [{ $ref: '#' }, { anyOf: [{ $ref: '#' }] }, { allOf: [{ $ref: '#/$defs/a' }], $defs: { a: { $ref: '#' } } }]) {
      expect(() => compilePayloadSchema(schema)).toThrow(/refers to itself without end/);
    }
    // Recursion that consumes the data is a normal, usable schema.
    const tree = compilePayloadSchema({ type: 'object', properties: { child: { $ref: '#' } } });
    expect(payloadViolation(tree, { child: { child: {} } })).toBeNull();
  });
});

test('a retry delay is at most 7 days (a Temporal interval and an int4 column)', () => {
  expect(parseRetrySchedule('1s,7d')).toEqual([1_000, 7 * 86_400_000]);
  expect(() => parseRetrySchedule('25d')).toThrow(/at most 7d/);
  expect(() => parseRetrySchedule('1s,100000d')).toThrow(/at most 7d/);
});

test('instants: the zone is required, and impossible dates or hours are refused in any zone', () => {
  expect(parseInstant('2026-11-24T10:00:00Z')).toEqual(new Date('2026-11-24T10:00:00Z'));
  expect(parseInstant('2026-11-24T12:00:00+02:00')).toEqual(new Date('2026-11-24T10:00:00Z'));
  expect(parseInstant('2026-11-24')).toEqual(new Date('2026-11-24T00:00:00Z'));
  for (const bad of ['2026-02-30T00:00:00Z', '2026-02-30T00:00:00+02:00', '2026-01-01T24:00:00+01:00', '2026-01-01T00:00:00', '0001-01-01T00:00:00Z', '2026-13-01', 'soon']) {
    expect(typeof parseInstant(bad)).toBe('string');
  }
});

test('custom headers never shadow a header Hookline sets, in any letter case', () => {
  const sent = withCustomHeaders({ 'X-Sig': 'custom', 'X-Team': 'a', 'Content-Type': 'text/plain' }, { 'content-type': 'application/json', 'x-sig': 'sha256=ab' });
  expect(sent).toEqual({ 'X-Team': 'a', 'content-type': 'application/json', 'x-sig': 'sha256=ab' });
});
