import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../infra/config';
import { SEARCH_ATTRIBUTES } from '../../temporal/workflows/search-attributes';
import { DEFAULT_DYNAMIC_CONFIG, DYNAMIC_CONFIG_FILE } from '../../tools/temporal/temporal-dev-server';

/** There is no Docker engine here: check the file's structure and that its env is a valid Hookline config. */
const compose = parse(readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string | number>; command?: string[]; depends_on?: unknown; ports?: string[] }>;
};

test('docker-compose has Postgres, Temporal with its UI, migrations, the API and scalable workers', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['api', 'migrate', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'].sort());
  // The compiled build (Dockerfile: npm run build), whose workers load the prebuilt workflow bundle.
  expect(compose.services.api!.command).toEqual(['node', 'dist/bin/api.js']);
  expect(compose.services.worker!.command).toEqual(['node', 'dist/bin/worker.js']);
  expect(compose.services.migrate!.command).toEqual(['node', 'dist/bin/migrate.js']);
  // A scaled service must not pin a host port.
  expect(compose.services.worker!.ports).toBeUndefined();
  expect(compose.services['temporal-setup']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
});

test('compose, the dev server and the Postgres-backed server share one set of Temporal values from deploy/temporal/', () => {
  const values = JSON.parse(readFileSync(path.join(__dirname, '../../deploy/temporal/values.json'), 'utf8')) as {
    namespace: string;
    retention: string;
    searchAttributes: Record<string, string>;
  };
  // Dynamic config: the file compose mounts is the one the dev server's flags come from.
  const temporal = compose.services.temporal as { environment: Record<string, string>; volumes: string[] };
  const mount = temporal.volumes.find((v) => v.startsWith('./deploy/temporal/dynamic-config.yaml:'))!;
  expect(mount.split(':')[1]).toBe(`/etc/temporal/${temporal.environment.DYNAMIC_CONFIG_FILE_PATH}`);
  expect(DYNAMIC_CONFIG_FILE).toBe(path.resolve(__dirname, '../../deploy/temporal/dynamic-config.yaml'));
  expect(DEFAULT_DYNAMIC_CONFIG).toMatchObject({ 'system.enableActivityEagerExecution': true });
  // Namespace retention and search attributes: the same in values.json, compose and the code.
  expect(temporal.environment.DEFAULT_NAMESPACE_RETENTION).toBe(values.retention);
  expect(values.searchAttributes).toEqual(SEARCH_ATTRIBUTES);
  const setup = (compose.services['temporal-setup'] as unknown as { entrypoint: string }).entrypoint;
  const registered = Object.fromEntries([...setup.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => [m[1], m[2]]));
  expect(registered).toEqual(values.searchAttributes);
  expect(setup).toContain(`namespace describe ${values.namespace}`);
});

test('the API and worker environments are a valid production config once the two secrets are given', () => {
  for (const name of ['api', 'worker']) {
    const env = Object.fromEntries(
      Object.entries(compose.services[name]!.environment!).map(([k, v]) => [
        k,
        String(v).replace(/^\$\{HOOKLINE_ADMIN_TOKEN.*\}$/, 'an-admin-token-of-some-length').replace(/^\$\{HOOKLINE_ENCRYPTION_KEY.*\}$/, Buffer.alloc(32, 3).toString('base64')).replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1'),
      ]),
    );
    const config = loadConfig(env);
    expect(config).toMatchObject({ production: true, temporal: { address: 'temporal:7233', taskQueue: 'hookline' } });
    expect(config.databaseUrl).toContain('@postgres:5432/hookline');
  }
});

test('Temporal’s frontend and Web UI, which have no auth here, listen on the host’s loopback only', () => {
  for (const name of ['temporal', 'temporal-ui']) {
    const ports = compose.services[name]!.ports ?? [];
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  }
});

test('the API and workers log in as a role that does not own the schema; migrations run as the owner', () => {
  const postgres = compose.services.postgres!.environment!;
  const user = (url: string | number | undefined) => new URL(String(url)).username;
  for (const name of ['api', 'worker']) {
    const env = compose.services[name]!.environment!;
    expect(user(env.DATABASE_URL)).toBe('hookline_app');
    expect(env.DATABASE_MIGRATION_URL).toBeUndefined(); // they never need the owner's password
  }
  const migrate = compose.services.migrate!.environment!;
  expect(user(migrate.DATABASE_MIGRATION_URL)).toBe(postgres.POSTGRES_USER);
  // migrate gives hookline_app the password in DATABASE_URL, so the API can log in with it.
  expect(user(migrate.DATABASE_URL)).toBe('hookline_app');
  expect(new URL(String(migrate.DATABASE_URL)).password).not.toBe('');
});
