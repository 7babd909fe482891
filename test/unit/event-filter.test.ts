import fc from 'fast-check';
import { matchesFilter, type EventFilter, type FilterableEvent } from '../../domain/event-filter';
import { FILTER_OPERATORS, asEventFilter, filterProblem } from '../../domain/event-filter-check';

const event: FilterableEvent = {
  id: 'evt_1',
  type: 'order.paid',
  channels: ['eu', 'shop-7'],
  createdAt: '2026-01-15T10:00:00.000Z',
  data: {
    amount: 150,
    currency: 'usd',
    email: 'ada@example.com',
    status: 'paid',
    note: null,
    flags: { vip: true, tier: 'gold' },
    tags: ['urgent', 'support'],
    counts: [1, 5, 9],
    items: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 3 },
    ],
  },
};

const matches = (filter: unknown) => matchesFilter(filter as EventFilter, event);

describe('a filter matches the event field by field', () => {
  test.each([
    ['a plain value is $eq', { data: { status: 'paid' } }, true],
    ['a plain value that differs', { data: { status: 'refunded' } }, false],
    ['several fields all hold', { type: 'order.paid', data: { status: 'paid', currency: 'usd' } }, true],
    ['one of several fields fails', { data: { status: 'paid', currency: 'eur' } }, false],
    ['nested objects, field by field', { data: { flags: { tier: 'gold' } } }, true],
    ['nested object that differs', { data: { flags: { tier: 'silver' } } }, false],
    ['an absent field', { data: { discount: 'x' } }, false],
    ['a field of a primitive is absent', { data: { status: { code: 'x' } } }, false],
    ['null is a value', { data: { note: null } }, true],
    ['no type coercion: "150" is not 150', { data: { amount: '150' } }, false],
    ['the id', { id: 'evt_1' }, true],
    ['the event channels, as an array', { channels: 'eu' }, true],
    ['the creation time as a string', { createdAt: { $gte: '2026-01-01T00:00:00Z' } }, true],
    ['the empty filter matches everything', {}, true],
  ])('%s', (_name, filter, expected) => expect(matches(filter)).toBe(expected));
});

describe('operators', () => {
  test.each([
    ['$eq number', { data: { amount: { $eq: 150 } } }, true],
    ['$eq object is deep', { data: { flags: { $eq: { vip: true, tier: 'gold' } } } }, true],
    ['$eq object with a missing key', { data: { flags: { $eq: { vip: true } } } }, false],
    ['$eq array is deep and ordered', { data: { counts: { $eq: [1, 5, 9] } } }, true],
    ['$eq array in another order', { data: { counts: { $eq: [9, 5, 1] } } }, false],
    ['$eq primitive against an array: one element', { data: { tags: { $eq: 'support' } } }, true],
    ['$neq differs', { data: { status: { $neq: 'refunded' } } }, true],
    ['$neq equal', { data: { status: { $neq: 'paid' } } }, false],
    ['$neq on an absent field does not match', { data: { gone: { $neq: 'x' } } }, false],
    ['$gt', { data: { amount: { $gt: 100 } } }, true],
    ['$gt at the bound', { data: { amount: { $gt: 150 } } }, false],
    ['$gte at the bound', { data: { amount: { $gte: 150 } } }, true],
    ['$lt', { data: { amount: { $lt: 150 } } }, false],
    ['$lte at the bound', { data: { amount: { $lte: 150 } } }, true],
    ['a range: $gte and $lt together', { data: { amount: { $gte: 100, $lt: 200 } } }, true],
    ['a range that excludes', { data: { amount: { $gte: 100, $lt: 120 } } }, false],
    ['$gt on strings compares them', { data: { currency: { $gt: 'eur' } } }, true],
    ['$gt number against a string field: no match', { data: { currency: { $gt: 1 } } }, false],
    ['$lt string against a number field: no match', { data: { amount: { $lt: 'zzz' } } }, false],
    ['$gt against an array: no match', { data: { counts: { $gt: 0 } } }, false],
    ['$in', { data: { status: { $in: ['pending', 'paid'] } } }, true],
    ['$in that misses', { data: { status: { $in: ['pending', 'failed'] } } }, false],
    ['$in with an array field: an element in the list', { data: { tags: { $in: ['urgent', 'x'] } } }, true],
    ['$in with an array field: none in the list', { data: { tags: { $in: ['x', 'y'] } } }, false],
    ['$in null matches a null field', { data: { note: { $in: [null] } } }, true],
    ['$in on an absent field', { data: { gone: { $in: ['x'] } } }, false],
    ['$nin', { data: { status: { $nin: ['cancelled', 'refunded'] } } }, true],
    ['$nin that hits', { data: { status: { $nin: ['paid'] } } }, false],
    ['$nin with an array field sharing one', { data: { tags: { $nin: ['support'] } } }, false],
    ['$nin on an absent field does not match', { data: { gone: { $nin: ['x'] } } }, false],
    ['$exists true', { data: { note: { $exists: true } } }, true],
    ['$exists true on an absent field', { data: { gone: { $exists: true } } }, false],
    ['$exists false on an absent field', { data: { gone: { $exists: false } } }, true],
    ['$exists false on a present field', { data: { amount: { $exists: false } } }, false],
    ['$exists false under an absent parent', { data: { gone: { deeper: { $exists: false } } } }, true],
    ['$startsWith', { data: { email: { $startsWith: 'ada@' } } }, true],
    ['$startsWith that misses', { data: { email: { $startsWith: 'bob@' } } }, false],
    ['$startsWith on a number: no match', { data: { amount: { $startsWith: '1' } } }, false],
    ['$endsWith', { data: { email: { $endsWith: '@example.com' } } }, true],
    ['$endsWith that misses', { data: { email: { $endsWith: '@example.org' } } }, false],
    ['$startsWith takes the operand literally (no pattern)', { data: { email: { $startsWith: '.*' } } }, false],
    ['$contains a substring', { data: { email: { $contains: 'example' } } }, true],
    ['$contains a substring that is absent', { data: { email: { $contains: 'nope' } } }, false],
    ['$contains an array element', { data: { tags: { $contains: 'urgent' } } }, true],
    ['$contains an array element that is absent', { data: { tags: { $contains: 'billing' } } }, false],
    ['$contains an element meeting a condition', { data: { counts: { $contains: { $gt: 8 } } } }, true],
    ['$contains an object element by fields', { data: { items: { $contains: { sku: 'b', qty: { $gte: 2 } } } } }, true],
    ['$contains: both conditions on one element', { data: { items: { $contains: { sku: 'a', qty: { $gte: 2 } } } } }, false],
    ['$contains on a number: no match', { data: { amount: { $contains: 1 } } }, false],
    ['$contains a number in a string: no match', { data: { email: { $contains: 1 } } }, false],
  ])('%s', (_name, filter, expected) => expect(matches(filter)).toBe(expected));
});

describe('arrays', () => {
  test.each([
    ['a plain primitive against an array: one element equal', { data: { tags: 'urgent' } }, true],
    ['a plain primitive in no element', { data: { tags: 'billing' } }, false],
    ['a plain array is deep equality', { data: { tags: ['urgent', 'support'] } }, true],
    ['a plain array with fewer elements', { data: { tags: ['urgent'] } }, false],
    ['field conditions against an array of objects: one element meets them', { data: { items: { sku: 'b', qty: 3 } } }, true],
    ['field conditions split across elements do not match', { data: { items: { sku: 'a', qty: 3 } } }, false],
    ['field conditions against an array of primitives', { data: { tags: { sku: 'a' } } }, false],
  ])('%s', (_name, filter, expected) => expect(matches(filter)).toBe(expected));
});

describe('logic', () => {
  test.each([
    ['$and all hold', { $and: [{ data: { status: 'paid' } }, { data: { amount: { $gte: 100 } } }] }, true],
    ['$and one fails', { $and: [{ data: { status: 'paid' } }, { data: { amount: { $gte: 1000 } } }] }, false],
    ['$or one holds', { $or: [{ data: { status: 'refunded' } }, { type: 'order.paid' }] }, true],
    ['$or none holds', { $or: [{ data: { status: 'refunded' } }, { type: 'order.created' }] }, false],
    ['$not at the top', { $not: { data: { status: 'refunded' } } }, true],
    ['$not of a match', { $not: { data: { status: 'paid' } } }, false],
    ['$not on a field', { data: { status: { $not: { $in: ['cancelled', 'refunded'] } } } }, true],
    ['$not on an absent field holds', { data: { gone: { $not: { $eq: 1 } } } }, true],
    ['$or on a field', { data: { amount: { $or: [{ $lt: 10 }, { $gt: 100 }] } } }, true],
    ['$and on a field', { data: { amount: { $and: [{ $gt: 10 }, { $lt: 100 }] } } }, false],
    ['logic beside fields: both must hold', { type: 'order.paid', $or: [{ data: { currency: 'eur' } }, { data: { currency: 'usd' } }] }, true],
    ['logic beside fields: the field fails', { type: 'order.created', $or: [{ data: { currency: 'usd' } }] }, false],
    ['nested logic', { $or: [{ $and: [{ data: { status: 'paid' } }, { $not: { data: { flags: { vip: false } } } }] }, { id: 'other' }] }, true],
  ])('%s', (_name, filter, expected) => expect(matches(filter)).toBe(expected));
});

describe('a filter is checked when saved, naming the path', () => {
  test.each([
    ['not an object', 'paid', 'filter', 'must be an object'],
    ['an array', [{ data: 1 }], 'filter', 'must be an object'],
    ['null', null, 'filter', 'must be an object'],
    ['an unknown operator', { data: { amount: { $regex: '^1' } } }, 'filter.data.amount.$regex', 'unknown operator'],
    ['an unknown operator at the top', { $where: 'x' }, 'filter.$where', 'unknown operator'],
    ['$gte takes a number or a string', { data: { amount: { $gte: [1] } } }, 'filter.data.amount.$gte', 'must be a number or a string'],
    ['$lt takes no object', { data: { amount: { $lt: { a: 1 } } } }, 'filter.data.amount.$lt', 'must be a number or a string'],
    ['$gt takes no boolean', { data: { amount: { $gt: true } } }, 'filter.data.amount.$gt', 'must be a number or a string'],
    ['$lte takes no null', { data: { amount: { $lte: null } } }, 'filter.data.amount.$lte', 'must be a number or a string'],
    ['$in takes an array', { data: { status: { $in: 'paid' } } }, 'filter.data.status.$in', 'must be an array'],
    ['$in takes primitives', { data: { status: { $in: ['a', { b: 1 }] } } }, 'filter.data.status.$in.1', 'must be a string, number, boolean or null'],
    ['$nin takes an array', { data: { status: { $nin: 3 } } }, 'filter.data.status.$nin', 'must be an array'],
    ['$exists takes a boolean', { data: { note: { $exists: 'yes' } } }, 'filter.data.note.$exists', 'must be true or false'],
    ['$startsWith takes a string', { data: { email: { $startsWith: 1 } } }, 'filter.data.email.$startsWith', 'must be a string'],
    ['$endsWith takes a string', { data: { email: { $endsWith: ['a'] } } }, 'filter.data.email.$endsWith', 'must be a string'],
    ['$or takes an array', { $or: { data: 1 } }, 'filter.$or', 'must be a non-empty array of conditions'],
    ['$and takes a non-empty array', { $and: [] }, 'filter.$and', 'must be a non-empty array of conditions'],
    ['inside $or', { $or: [{ data: { a: 1 } }, { data: { a: { $bad: 1 } } }] }, 'filter.$or.1.data.a.$bad', 'unknown operator'],
    ['inside $not', { $not: { data: { a: { $gt: {} } } } }, 'filter.$not.data.a.$gt', 'must be a number or a string'],
    ['inside $contains', { data: { items: { $contains: { qty: { $gte: 'x', $nope: 1 } } } } }, 'filter.data.items.$contains.qty.$nope', 'unknown operator'],
  ])('%s', (_name, filter, path, message) => {
    const found = filterProblem(filter);
    expect(found?.path).toBe(path);
    expect(found?.message).toContain(message);
  });

  test('every operator with a right operand is accepted', () => {
    const filter = {
      data: {
        a: { $eq: { x: [1] }, $neq: 2, $gt: 1, $gte: 'a', $lt: 3, $lte: 4 },
        b: { $in: ['x', 1, true, null], $nin: [], $exists: true, $startsWith: 'a', $endsWith: 'b', $contains: { $gt: 1 } },
        c: { $not: { $in: [1] } },
      },
      $and: [{ type: 'x' }],
      $or: [{ type: 'y' }, 'plain'],
    };
    expect(filterProblem(filter)).toBeNull();
    const used = new Set(JSON.stringify(filter).match(/\$[A-Za-z]+/g));
    expect([...FILTER_OPERATORS].filter((op) => !used.has(op))).toEqual([]);
  });

  test('literal values under $eq and in plain arrays are not read as operators', () => {
    expect(filterProblem({ data: { a: { $eq: { $weird: 1 } }, b: [{ $weird: 1 }] } })).toBeNull();
  });

  test('8 levels are allowed, 9 are not', () => {
    const nest = (levels: number): unknown => (levels === 1 ? { leaf: 1 } : { a: nest(levels - 1) });
    expect(filterProblem(nest(8))).toBeNull();
    expect(filterProblem(nest(9))).toEqual({ path: 'filter.a.a.a.a.a.a.a.a', message: 'nested deeper than 8 levels' });
  });

  test('a deep document is refused without recursing through it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(filterProblem(deep)?.message).toBe('nested deeper than 8 levels');
  });

  test('8 KiB of JSON are allowed, more are not', () => {
    const sized = (bytes: number) => ({ data: { s: 'x'.repeat(bytes - JSON.stringify({ data: { s: '' } }).length) } });
    expect(JSON.stringify(sized(8192)).length).toBe(8192);
    expect(filterProblem(sized(8192))).toBeNull();
    expect(filterProblem(sized(8193))).toEqual({ path: 'filter', message: 'must be at most 8 KiB of JSON (it is 8193 bytes)' });
  });

  test('size counts UTF-8 bytes, not characters', () => {
    expect(filterProblem({ data: { s: 'é'.repeat(4090) } })?.message).toMatch(/at most 8 KiB/);
  });

  test('what Postgres cannot store is refused, in a value or a key', () => {
    expect(filterProblem({ data: { s: 'a\u0000b' } })).toEqual({ path: 'filter', message: 'must not contain a NUL character (\\u0000)' });
    expect(filterProblem({ data: { ['k\ud800']: 1 } })?.message).toMatch(/^a key must be well-formed Unicode/);
  });

  test('an empty filter is no filter', () => {
    expect(asEventFilter({})).toBeNull();
    expect(asEventFilter(null)).toBeNull();
    expect(asEventFilter({ type: 'x' })).toEqual({ type: 'x' });
  });
});

describe('an evaluation never builds a pattern from the filter', () => {
  test('RegExp is not constructed while matching', () => {
    const spy = jest.spyOn(global, 'RegExp');
    matches({ data: { email: { $startsWith: '(a+)+$', $endsWith: '[', $contains: '.*' } } });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe('any JSON', () => {
  // Operator keys appear often, so random documents reach every branch of the check and the evaluator.
  const key = fc.oneof(fc.constantFrom(...FILTER_OPERATORS, '$bad', 'data', 'type', 'a', 'tags'), fc.string({ maxLength: 4 }));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.string({ maxLength: 6 }), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));

  test('is checked without throwing, and a filter the check accepts is evaluated without throwing', () => {
    fc.assert(
      fc.property(json.object, json.value, (filter, data) => {
        const problem = filterProblem(filter);
        if (problem) return typeof problem.path === 'string' && problem.path.startsWith('filter');
        return typeof matchesFilter(filter as EventFilter, { ...event, data }) === 'boolean';
      }),
      { numRuns: 3000 },
    );
  });
});
