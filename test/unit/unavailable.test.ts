import { isDependencyUnavailable } from '../../infra/unavailable';

const pgError = (code: string) => Object.assign(new Error(`postgres error ${code}`), { code });

test.each([
  ['08006', 'connection failure'],
  ['08001', 'unable to connect'],
  ['53100', 'disk full'],
  ['53200', 'out of memory'],
  ['53300', 'too many connections'],
  ['57P01', 'admin shutdown'],
  ['57P02', 'crash shutdown'],
  ['57P03', 'cannot connect now'],
  ['ECONNREFUSED', 'refused'],
  ['CONNECTION_CLOSED', 'closed by the server'],
])('Postgres %s (%s) is a dependency outage: 503, not 500', (code) => {
  expect(isDependencyUnavailable(pgError(code))).toBe(true);
  expect(isDependencyUnavailable(new Error('wrapped', { cause: pgError(code) }))).toBe(true);
});

test.each([['23505'], ['22P02'], ['42P01'], ['P0001']])('Postgres %s is not an outage', (code) => {
  expect(isDependencyUnavailable(pgError(code))).toBe(false);
});

test('a gRPC UNAVAILABLE from Temporal is an outage', () => {
  expect(isDependencyUnavailable(Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }))).toBe(true);
});
