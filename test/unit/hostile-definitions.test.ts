import fc from 'fast-check';
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
    // V8's backtracking engine takes minutes on these inputs; RE2 microseconds (the bound leaves room for a contended CPU).
    expect(Date.now() - started).toBeLessThan(10_000);
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

describe('schemas whose validation explodes', () => {
  /** `dN = { anyOf: [{$ref: dN+1}, {$ref: dN+1}] }`, `levels` deep: 2^levels subschemas once expanded. */
  const chain = (levels: number, combinator = 'anyOf', refTo = (i: number) => `#/$defs/d${i}`) => {
    const $defs: Record<string, unknown> = {};
    for (let i = 0; i < levels; i++) $defs[`d${i}`] = { $anchor: `a${i}`, [combinator]: [{ $ref: refTo(i + 1) }, { $ref: refTo(i + 1) }] };
    $defs[`d${levels}`] = { $anchor: `a${levels}`, type: 'string' };
    return { $ref: refTo(0), $defs };
  };

  test.each([
    ['a 25-level $defs chain of anyOf refs', chain(25)],
    ['the same with allOf', chain(25, 'allOf')],
    ['the same with oneOf', chain(25, 'oneOf')],
    ['the same through $anchor references', chain(25, 'anyOf', (i) => `#a${i}`)],
    ['a 40-level chain', chain(40)],
  ])('%s is refused at once, saying why, not compiled', (_what, schema) => {
    const started = Date.now();
    expect(() => compilePayloadSchema(schema)).toThrow(/too complex: its subschemas expand to more than 5000/);
    // Compiling depth 20 took 12 s and depth 25 minutes and gigabytes; a refusal takes milliseconds.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('generated chains (any combinator, pointer or anchor references, 1 to 40 levels): usable when small, refused at once when not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.constantFrom('anyOf', 'allOf', 'oneOf'), fc.boolean(), (levels, combinator, byAnchor) => {
        const schema = chain(levels, combinator, byAnchor ? (i) => `#a${i}` : (i) => `#/$defs/d${i}`);
        const started = Date.now();
        // Each level is itself plus its two references to the next, expanded: 4·2^levels − 3 subschemas (10 levels fit in 5000, 11 do not).
        if (4 * 2 ** levels - 3 > 5_000) expect(() => compilePayloadSchema(schema)).toThrow(/too complex/);
        else payloadViolation(compilePayloadSchema(schema), 'x'); // compiles and validates (oneOf of two equal branches is a violation, not an error)
        expect(Date.now() - started).toBeLessThan(10_000);
      }),
      { numRuns: 30 },
    );
  });

  test('a short chain, a large flat schema and a recursive tree are usable', () => {
    expect(payloadViolation(compilePayloadSchema(chain(6)), 'x')).toBeNull();
    const properties = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`p${i}`, { type: 'string', maxLength: 10 }]));
    expect(payloadViolation(compilePayloadSchema({ type: 'object', properties }), { p1: 'a' })).toBeNull();
    const tree = compilePayloadSchema({ $defs: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } } } }, $ref: '#/$defs/node' });
    expect(payloadViolation(tree, { children: [{ children: [] }, { children: [{}] }] })).toBeNull();
  });

  test('uniqueItems runs in linear time on arrays of arrays and objects, with the same verdicts', () => {
    const unique = compilePayloadSchema({ type: 'array', uniqueItems: true });
    const started = Date.now();
    // [[0],[1],…,[14999]] (109 KB) took ajv's pairwise comparison 2.4–4.8 s; four times as many items
    // would take it 16 times as long (over 38 s), and take a linear check well under a second.
    expect(payloadViolation(unique, Array.from({ length: 60_000 }, (_, i) => [i]))).toBeNull();
    expect(payloadViolation(unique, Array.from({ length: 60_000 }, (_, i) => ({ n: i, tag: 'x' })))).toBeNull();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(payloadViolation(unique, [{ a: 1, b: [2] }, { b: [2], a: 1 }])).toMatchObject({ pointer: '', keyword: 'uniqueItems', message: expect.stringMatching(/items ## 0 and 1 are identical/) });
    expect(payloadViolation(unique, [1, '1', [1], { 1: 1 }, null, 'null', [[1]], true, 'true'])).toBeNull();
    expect(payloadViolation(unique, [[1, 2], [2, 1], [1, 2]])).toMatchObject({ message: expect.stringMatching(/items ## 0 and 2/) });
    const nested = compilePayloadSchema({ type: 'object', properties: { tags: { type: 'array', uniqueItems: true } } });
    expect(payloadViolation(nested, { tags: ['a', 'b', 'a'] })).toMatchObject({ pointer: '/tags', keyword: 'uniqueItems' });
    expect(payloadViolation(compilePayloadSchema({ type: 'array', uniqueItems: false }), [1, 1])).toBeNull();
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
