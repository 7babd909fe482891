import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Finds a Temporal CLI without downloading one: $TEMPORAL_CLI, `temporal` on PATH, the project's
 * cache, the per-user cache, and else builds it from its Go module into the per-user cache.
 * v1.5.1 is the newest tag whose module builds with `go install` through the module proxy alone
 * (later tags need their `cliext` submodule, which the proxy does not serve here).
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

const ROOT = path.resolve(__dirname, '..');
const PROJECT_CACHE = path.join(ROOT, '.cache', 'temporal', TEMPORAL_CLI_VERSION);
const USER_CACHE = path.join(
  process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
  'hookline',
  `temporal-${TEMPORAL_CLI_VERSION}`,
);

export class TemporalCliMissing extends Error {}

function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const p = found.stdout.trim();
  return found.status === 0 && p ? p : undefined;
}

export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI) {
    if (!existsSync(env.TEMPORAL_CLI)) throw new TemporalCliMissing(`TEMPORAL_CLI=${env.TEMPORAL_CLI} does not exist`);
    return env.TEMPORAL_CLI;
  }
  return (
    onPath('temporal') ??
    [PROJECT_CACHE, USER_CACHE].map((dir) => path.join(dir, 'temporal')).find((p) => existsSync(p))
  );
}

/** Builds the CLI with Go (a few minutes, once; Go's module and build caches make a rebuild cheap). */
export function buildTemporalCli(log: (line: string) => void = console.error): string {
  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new TemporalCliMissing(
      'No Temporal CLI found and no Go toolchain to build one. Install the Temporal CLI ' +
        '(https://docs.temporal.io/cli) or Go 1.23+, or set TEMPORAL_CLI to a temporal binary.',
    );
  }
  mkdirSync(USER_CACHE, { recursive: true });
  log(`hookline: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${USER_CACHE} (once; takes a few minutes)`);
  execFileSync(go, ['install', '-trimpath', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0', GOBIN: USER_CACHE, GOFLAGS: '-mod=mod' },
  });
  const binary = path.join(USER_CACHE, 'temporal');
  if (!existsSync(binary)) throw new TemporalCliMissing(`go install finished but ${binary} is missing`);
  writeFileSync(path.join(USER_CACHE, 'VERSION'), `${TEMPORAL_CLI_VERSION}\n`);
  return binary;
}

export function findOrBuildTemporalCli(log?: (line: string) => void): string {
  return findTemporalCli() ?? buildTemporalCli(log);
}
