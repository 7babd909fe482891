import path from 'node:path';

/**
 * The workflows are bundled twice: without interceptors, which every worker runs unless tracing is
 * on, and with the OpenTelemetry ones (workflows/tracing-interceptors.ts), which run on every
 * activation of every workflow, traced or not. Both bundles hold the same workflow code and make the
 * same commands (the interceptors add headers only), so either replays any history.
 */
export type BundleKind = 'plain' | 'traced';

export const WORKFLOWS_PATH = require.resolve('./workflows');

/** The interceptor modules of each bundle. */
export const INTERCEPTOR_MODULES: Record<BundleKind, string[]> = {
  plain: [],
  traced: [require.resolve('./workflows/tracing-interceptors')],
};

/** `npm run build` writes both beside the compiled code: dist/workflow-bundle{,-traced}.js. */
export function bundleFile(dir: string, kind: BundleKind): string {
  return path.join(dir, kind === 'plain' ? 'workflow-bundle.js' : 'workflow-bundle-traced.js');
}

/** What `bundleWorkflowCode` takes for one kind. */
export function bundleOptions(kind: BundleKind): { workflowsPath: string; workflowInterceptorModules: string[] } {
  return { workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: INTERCEPTOR_MODULES[kind] };
}
