import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TemporalCliMissing, findOrBuildTemporalCli, findTemporalCli } from '../../tools/temporal/temporal-cli';

function fakeBinary(dir: string, name = 'temporal'): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

describe('finding the Temporal CLI', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hookline-cli-'));
  const base = (extra: Record<string, string> = {}) => ({
    env: { PATH: '/nonexistent', ...extra },
    projectCacheDir: path.join(root, 'project'),
    userCacheDir: path.join(root, 'user', 'hookline', 'temporal-v1.5.1'),
    go: null,
  });

  test('$TEMPORAL_CLI wins, and a missing one is named', () => {
    const explicit = fakeBinary(path.join(root, 'explicit'));
    fakeBinary(path.join(root, 'project'));
    expect(findTemporalCli(base({ TEMPORAL_CLI: explicit }))).toBe(explicit);
    expect(() => findTemporalCli(base({ TEMPORAL_CLI: '/no/such/temporal' }))).toThrow('TEMPORAL_CLI=/no/such/temporal does not exist');
  });

  test('then PATH, then the project cache, then the user cache, then an earlier SDK download', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-cli-order-'));
    const search = {
      env: { PATH: path.join(dir, 'bin') },
      projectCacheDir: path.join(dir, 'project'),
      userCacheDir: path.join(dir, 'user', 'temporal-v1.5.1'),
      go: null,
    };
    expect(findTemporalCli(search)).toBeUndefined();
    const downloaded = fakeBinary(path.join(dir, 'user', 'temporal-sdk-download'), 'temporal-cli-sdk-typescript-1.24.0');
    expect(findTemporalCli(search)).toBe(downloaded);
    const user = fakeBinary(search.userCacheDir);
    expect(findTemporalCli(search)).toBe(user);
    const project = fakeBinary(search.projectCacheDir);
    expect(findTemporalCli(search)).toBe(project);
    const onPath = fakeBinary(path.join(dir, 'bin'));
    expect(findTemporalCli(search)).toBe(onPath);
  });

  test('with no CLI, no Go and no way to download, one message says what to install', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-cli-none-'));
    const lines: string[] = [];
    // A proxy that refuses, so the download fails the same way with or without internet.
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    const err = await findOrBuildTemporalCli({
      env: { PATH: '/nonexistent' },
      projectCacheDir: path.join(dir, 'project'),
      userCacheDir: path.join(dir, 'user', 'temporal-v1.5.1'),
      go: null,
      log: (l) => lines.push(l),
    }).catch((e: unknown) => e);
    delete process.env.HTTPS_PROXY;
    expect(err).toBeInstanceOf(TemporalCliMissing);
    const message = (err as Error).message;
    expect(message).toMatch(/no Go toolchain/);
    expect(message).toMatch(/the SDK's download failed/);
    expect(message).toMatch(/Install the Temporal CLI .* or Go 1\.23\+, or set TEMPORAL_CLI/);
    expect(message.split('\n')).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/downloading the Temporal CLI through @temporalio\/testing/);
  });
});
