import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { DatabaseServer, TemporalDatabases } from './databases';
import type { ServerPorts } from './ports';

export const DEPLOY_DIR = path.resolve(__dirname, '..', '..', '..', 'deploy', 'temporal');
/** The `--env` name: the server reads `<config dir>/<env>.yaml`. */
export const CONFIG_ENV = 'hookline';

export interface RenderOptions {
  dataDir: string;
  ip: string;
  ports: ServerPorts;
  database: DatabaseServer;
  databases: TemporalDatabases;
  /** Per service and store (the server runs four services): see the template. */
  maxConns: number;
  visibilityMaxConns: number;
  numHistoryShards: number;
  logLevel: string;
  /** Dynamic config keys set on top of deploy/temporal/dynamic-config.yaml (tests use them). */
  dynamicConfig?: Record<string, unknown>;
}

export function renderTemplate(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`no value for {{${name}}} in the Temporal config template`);
    return JSON.stringify(value);
  });
}

/** Writes `<dataDir>/config/hookline.yaml` and its dynamic config; returns the config dir. */
export function writeServerConfig(opts: RenderOptions): string {
  const configDir = path.join(opts.dataDir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamic-config.yaml');
  const base = (parse(readFileSync(path.join(DEPLOY_DIR, 'dynamic-config.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) base[key] = [{ value }];
  writeFileSync(dynamicConfigFile, `# Generated from deploy/temporal/dynamic-config.yaml by tools/temporal/temporal-server.\n${stringify(base)}`);

  const { ports, database, databases, ip } = opts;
  const template = readFileSync(path.join(DEPLOY_DIR, 'server-config.template.yaml'), 'utf8');
  const config = renderTemplate(template, {
    LOG_LEVEL: opts.logLevel,
    NUM_HISTORY_SHARDS: opts.numHistoryShards,
    DATABASE: databases.main,
    VISIBILITY_DATABASE: databases.visibility,
    DATABASE_ADDRESS: `${database.host}:${database.port}`,
    DATABASE_USER: database.user,
    DATABASE_PASSWORD: database.password ?? '',
    MAX_CONNS: opts.maxConns,
    VISIBILITY_MAX_CONNS: opts.visibilityMaxConns,
    BIND_IP: ip,
    FRONTEND_PORT: ports.frontend,
    FRONTEND_HTTP_PORT: ports.frontendHttp,
    FRONTEND_MEMBERSHIP_PORT: ports.frontendMembership,
    HISTORY_PORT: ports.history,
    HISTORY_MEMBERSHIP_PORT: ports.historyMembership,
    MATCHING_PORT: ports.matching,
    MATCHING_MEMBERSHIP_PORT: ports.matchingMembership,
    WORKER_PORT: ports.worker,
    WORKER_MEMBERSHIP_PORT: ports.workerMembership,
    FRONTEND_ADDRESS: `${ip}:${ports.frontend}`,
    FRONTEND_HTTP_ADDRESS: `${ip}:${ports.frontendHttp}`,
    DYNAMIC_CONFIG_FILE: dynamicConfigFile,
  });
  writeFileSync(path.join(configDir, `${CONFIG_ENV}.yaml`), config);
  return configDir;
}

/** `<dataDir>/ui-config/hookline.yaml` for temporal-ui-server (keys of its config/development.yaml). */
export function writeUiConfig(dataDir: string, ip: string, uiPort: number, frontendAddress: string, namespace: string): string {
  const configDir = path.join(dataDir, 'ui-config');
  mkdirSync(configDir, { recursive: true });
  const config = {
    temporalGrpcAddress: frontendAddress,
    host: ip,
    port: uiPort,
    enableUi: true,
    defaultNamespace: namespace,
    notifyOnNewVersion: false,
    cors: { cookieInsecure: true, allowOrigins: [`http://${ip}:${uiPort}`] },
  };
  writeFileSync(path.join(configDir, `${CONFIG_ENV}.yaml`), stringify(config));
  return configDir;
}
