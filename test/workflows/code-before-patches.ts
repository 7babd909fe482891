import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { INTERCEPTOR_MODULES } from '../../temporal/workflow-bundles';

/**
 * Today's workflow code as it ran before the given patches existed: `patched(id)` answers false for
 * them and records no marker, as the code before the change never called it. A run started on this
 * bundle and taken over by today's worker is a run from before the patch (its replay takes the old path).
 */
export async function bundleBeforePatches(ids: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-before-patches-'));
  const shim = path.join(dir, 'workflow-before-patches.js');
  writeFileSync(
    shim,
    `const wf = require(${JSON.stringify(require.resolve('@temporalio/workflow/lib/index.js'))});
const absent = new Set(${JSON.stringify(ids)});
module.exports = { ...wf, patched: (id) => (absent.has(id) ? false : wf.patched(id)) };
`,
  );
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../temporal/workflows'),
    workflowInterceptorModules: INTERCEPTOR_MODULES.plain,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} } as never,
    webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), '@temporalio/workflow$': shim } } }),
  });
  const file = path.join(dir, 'workflows.js');
  writeFileSync(file, code);
  return file;
}
