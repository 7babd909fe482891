import { loadConfig } from '../../infra/config';
import { temporalServerOptions } from '../../tools/temporal/temporal-server/cli';

// `npm run temporal -- --engine postgres`: where its databases are comes from flags, else TEMPORAL_DB_*, else the local server.

test('by default the Postgres-backed server uses the local server and the hookline_temporal* databases', () => {
  const options = temporalServerOptions([], loadConfig({ NODE_ENV: 'development' }));
  expect(options).toMatchObject({ databaseHost: '127.0.0.1', databasePort: 5432, databaseUser: 'postgres', dbPrefix: 'hookline', port: 7233, uiPort: 8233 });
});

test('TEMPORAL_DB_HOST, _PORT, _USER, _PASSWORD and _PREFIX point it elsewhere', () => {
  const config = loadConfig({
    NODE_ENV: 'development', TEMPORAL_DB_HOST: 'db.internal', TEMPORAL_DB_PORT: '6543', TEMPORAL_DB_USER: 'temporal',
    TEMPORAL_DB_PASSWORD: 'pw-not-echoed', TEMPORAL_DB_PREFIX: 'staging',
  });
  expect(temporalServerOptions(['--headless'], config)).toMatchObject({
    databaseHost: 'db.internal', databasePort: 6543, databaseUser: 'temporal', databasePassword: 'pw-not-echoed', dbPrefix: 'staging', uiPort: undefined,
  });
});

test('flags override the environment', () => {
  const config = loadConfig({ NODE_ENV: 'development', TEMPORAL_DB_PORT: '6543', TEMPORAL_DB_PREFIX: 'staging' });
  const args = ['--db-host', '10.0.0.9', '--db-port', '5433', '--db-user', 'ops', '--db-prefix', 'ci', '--port', '7300'];
  expect(temporalServerOptions(args, config)).toMatchObject({ databaseHost: '10.0.0.9', databasePort: 5433, databaseUser: 'ops', dbPrefix: 'ci', port: 7300, uiPort: 8300 });
});

test.each([
  [{ TEMPORAL_DB_PORT: 'five' }, /^TEMPORAL_DB_PORT:/],
  [{ TEMPORAL_DB_PREFIX: 'Bad-Prefix' }, /^TEMPORAL_DB_PREFIX: expected lower-case/],
  [{ TEMPORAL_DB_PASSWORD: '' , TEMPORAL_DB_HOST: 'a b' }, /^TEMPORAL_DB_HOST:/],
])('%p is refused naming the variable', (env, message) => {
  expect(() => loadConfig({ NODE_ENV: 'development', ...env })).toThrow(message);
});
