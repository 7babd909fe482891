import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import values from '../../../deploy/temporal/values.json';

/**
 * Builds the real Temporal server (not the CLI's dev server) from its Go module, once, into a
 * per-user cache that survives fresh clones: `temporal-server`, `temporal-sql-tool` and, only when
 * a Web UI is asked for, `temporal-ui-server` (the server and the UI have no `replace` directive,
 * so `go install` through the module proxy works). Go's module and build caches make a rebuild cheap.
 */
export const SERVER_VERSION = values.serverVersion;
export const UI_VERSION = values.uiVersion;

export interface ServerBinaries {
  dir: string;
  server: string;
  sqlTool: string;
}

interface GoTarget {
  name: string;
  pkg: string;
}

const SERVER_TARGETS: GoTarget[] = [
  { name: 'temporal-server', pkg: `go.temporal.io/server/cmd/server@${SERVER_VERSION}` },
  { name: 'temporal-sql-tool', pkg: `go.temporal.io/server/cmd/tools/sql@${SERVER_VERSION}` },
];
const UI_TARGET: GoTarget = { name: 'temporal-ui-server', pkg: `github.com/temporalio/ui-server/v2/cmd/server@${UI_VERSION}` };

export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'hookline', `temporal-server-${SERVER_VERSION}`);
}

function findGo(env: NodeJS.ProcessEnv): string {
  if (env.GO) return env.GO;
  const found = spawnSync('/bin/sh', ['-c', 'command -v go'], { encoding: 'utf8', env: { PATH: env.PATH ?? '' } });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  if (existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error(`No Go toolchain (go on PATH, /usr/local/go/bin/go or $GO) to build the Temporal server ${SERVER_VERSION}`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`)),
    );
  });
}

/**
 * `go install` into a private GOBIN, then a rename: a build that dies half-way never leaves a
 * binary under the final name, and two processes building at once do not clobber each other.
 */
async function goInstall(targets: GoTarget[], dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const missing = targets.filter((t) => !existsSync(path.join(dir, t.name)));
  if (missing.length === 0) return;
  const go = findGo(env);
  mkdirSync(dir, { recursive: true });
  for (const target of missing) {
    const gobin = path.join(dir, `.gobin-${process.pid}-${target.name}`);
    console.error(`hookline: building ${target.name} (${target.pkg}) into ${dir}; the first build takes minutes`);
    const started = Date.now();
    try {
      await run(go, ['install', target.pkg], { ...env, CGO_ENABLED: '0', GOBIN: gobin, GOFLAGS: '-mod=mod' });
      const [built] = readdirSync(gobin);
      if (!built) throw new Error(`go install ${target.pkg} produced no binary`);
      renameSync(path.join(gobin, built), path.join(dir, target.name));
    } finally {
      rmSync(gobin, { recursive: true, force: true });
    }
    console.error(`hookline: built ${target.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

/** Paths of `temporal-server` and `temporal-sql-tool`, built first when missing. */
export async function ensureTemporalServer(env: NodeJS.ProcessEnv = process.env): Promise<ServerBinaries> {
  const dir = serverCacheDir(env);
  await goInstall(SERVER_TARGETS, dir, env);
  return { dir, server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool') };
}

/** Path of the standalone Web UI server (the one docker-compose runs as temporalio/ui), built first when missing. */
export async function ensureTemporalUiServer(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const dir = serverCacheDir(env);
  await goInstall([UI_TARGET], dir, env);
  return path.join(dir, UI_TARGET.name);
}

if (require.main === module) {
  const withUi = process.argv.includes('--ui');
  ensureTemporalServer()
    .then(async (binaries) => {
      console.log(binaries.server);
      console.log(binaries.sqlTool);
      if (withUi) console.log(await ensureTemporalUiServer());
    })
    .catch((err: unknown) => {
      console.error(`hookline: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    });
}
