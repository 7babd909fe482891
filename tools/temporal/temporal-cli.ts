import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Finds a Temporal CLI, in this order: $TEMPORAL_CLI, `temporal` on PATH, the project's cache,
 * the per-user cache, a build from its Go module into the per-user cache, and last the SDK's own
 * download (machines with internet but no Go). v1.5.1 is the newest tag whose module builds with
 * `go install` through the module proxy alone (later tags need their `cliext` submodule, which
 * the proxy does not serve here).
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export class TemporalCliMissing extends Error {}

export interface CliSearch {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  projectCacheDir?: string;
  userCacheDir?: string;
  /** The Go binary to build with; `null` when there is none. Found on PATH by default. */
  go?: string | null;
}

interface Resolved {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  projectCacheDir: string;
  userCacheDir: string;
}

function resolve(search: CliSearch = {}): Resolved {
  const env = search.env ?? process.env;
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return {
    env,
    log: search.log ?? ((line) => console.error(line)),
    projectCacheDir: search.projectCacheDir ?? path.resolve(__dirname, '..', '..', '.cache', 'temporal', TEMPORAL_CLI_VERSION),
    userCacheDir: search.userCacheDir ?? path.join(cacheHome, 'hookline', `temporal-${TEMPORAL_CLI_VERSION}`),
  };
}

/** Looked up only when there is something to build. */
function findGo(search: CliSearch, env: NodeJS.ProcessEnv): string | null {
  if (search.go !== undefined) return search.go;
  return onPath('go', env) ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const found = spawnSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8', env: { PATH: env.PATH ?? '' } });
  const p = found.stdout.trim();
  return found.status === 0 && p ? p : undefined;
}

/** Where the SDK's download lands: `temporal-cli-sdk-typescript-<sdk version>` or similar. */
function downloadDir(r: Resolved): string {
  return path.join(path.dirname(r.userCacheDir), 'temporal-sdk-download');
}

function downloadedBinary(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  return readdirSync(dir)
    .filter((f) => f.startsWith('temporal') && !f.endsWith('.downloading'))
    .map((f) => ({ file: path.join(dir, f), stat: statSync(path.join(dir, f)) }))
    .filter(({ stat }) => stat.isFile() && (stat.mode & 0o111) !== 0)
    .sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs)[0]?.file;
}

export function findTemporalCli(search?: CliSearch): string | undefined {
  return find(resolve(search));
}

function find(r: Resolved): string | undefined {
  if (r.env.TEMPORAL_CLI) {
    if (!existsSync(r.env.TEMPORAL_CLI)) throw new TemporalCliMissing(`TEMPORAL_CLI=${r.env.TEMPORAL_CLI} does not exist`);
    return r.env.TEMPORAL_CLI;
  }
  return (
    onPath('temporal', r.env) ??
    [r.projectCacheDir, r.userCacheDir].map((dir) => path.join(dir, 'temporal')).find((p) => existsSync(p)) ??
    downloadedBinary(downloadDir(r))
  );
}

/** Builds the CLI with Go (a few minutes, once; Go's module and build caches make a rebuild cheap). */
function buildWithGo(r: Resolved, go: string): string {
  mkdirSync(r.userCacheDir, { recursive: true });
  r.log(`hookline: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${r.userCacheDir} (once; takes a few minutes)`);
  execFileSync(go, ['install', '-trimpath', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...r.env, CGO_ENABLED: '0', GOBIN: r.userCacheDir, GOFLAGS: '-mod=mod' },
  });
  const binary = path.join(r.userCacheDir, 'temporal');
  if (!existsSync(binary)) throw new Error(`go install finished but ${binary} is missing`);
  writeFileSync(path.join(r.userCacheDir, 'VERSION'), `${TEMPORAL_CLI_VERSION}\n`);
  return binary;
}

/**
 * Lets the SDK fetch the dev server it would use itself (`@temporalio/testing` downloads the CLI
 * from temporal.download), starts it once to prove it runs, and keeps the binary in the cache.
 */
async function downloadWithSdk(r: Resolved): Promise<string> {
  const dir = downloadDir(r);
  mkdirSync(dir, { recursive: true });
  r.log(`hookline: downloading the Temporal CLI through @temporalio/testing into ${dir} (once)`);
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir: dir, ttl: '3650 days' } },
  });
  await env.teardown();
  const binary = downloadedBinary(dir);
  if (!binary) throw new Error(`the SDK's download finished but no temporal binary is in ${dir}`);
  return binary;
}

export async function findOrBuildTemporalCli(search: CliSearch = {}): Promise<string> {
  const r = resolve(search);
  const found = find(r);
  if (found) return found;
  const failures: string[] = [];
  const go = findGo(search, r.env);
  if (go) {
    try {
      return buildWithGo(r, go);
    } catch (err) {
      failures.push(`building with Go failed (${err instanceof Error ? err.message.split('\n')[0] : err})`);
    }
  } else {
    failures.push('there is no Go toolchain to build it');
  }
  try {
    return await downloadWithSdk(r);
  } catch (err) {
    failures.push(`the SDK's download failed (${err instanceof Error ? err.message.split('\n')[0] : err})`);
  }
  throw new TemporalCliMissing(
    `No Temporal CLI found: ${failures.join('; ')}. Install the Temporal CLI (https://docs.temporal.io/cli) ` +
      'or Go 1.23+, or set TEMPORAL_CLI to a temporal binary.',
  );
}
