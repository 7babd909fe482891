import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../infra/config';
import { DEFAULT_DYNAMIC_CONFIG } from '../../tools/temporal-dev-server';

/** There is no Docker engine here: check the file's structure and that its env is a valid Hookline config. */
const compose = parse(readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string | number>; command?: string[]; depends_on?: unknown; ports?: string[] }>;
};

test('docker-compose has Postgres, Temporal with its UI, migrations, the API and scalable workers', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['api', 'migrate', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'].sort());
  expect(compose.services.api!.command).toEqual(['npm', 'run', 'api']);
  expect(compose.services.worker!.command).toEqual(['npm', 'run', 'worker']);
  expect(compose.services.migrate!.command).toEqual(['npm', 'run', 'migrate']);
  // A scaled service must not pin a host port.
  expect(compose.services.worker!.ports).toBeUndefined();
  expect(compose.services['temporal-setup']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  // The server gets the same dynamic config as the dev server (eager activity execution).
  const temporal = compose.services.temporal as { environment: Record<string, string>; volumes: string[] };
  const mount = temporal.volumes.find((v) => v.startsWith('./deploy/temporal-dynamic-config.yaml:'))!;
  expect(mount.split(':')[1]).toBe(`/etc/temporal/${temporal.environment.DYNAMIC_CONFIG_FILE_PATH}`);
  const dynamic = parse(readFileSync(path.join(__dirname, '../../deploy/temporal-dynamic-config.yaml'), 'utf8')) as Record<string, { value: unknown }[]>;
  expect(Object.fromEntries(Object.entries(dynamic).map(([k, v]) => [k, v[0]!.value]))).toEqual(DEFAULT_DYNAMIC_CONFIG);
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
