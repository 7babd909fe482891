import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { docExample } from '../testkit/doc-example';
import { writeKubeSchemas } from './kube-schemas';

/**
 * CI's check of deploy/helm/hookline: `helm lint` and `helm template … | kubeconform -strict` on the
 * default values and on a values file with every option on. helm and kubeconform are built from
 * their Go modules into the per-user cache once (no binary downloads here), and kubeconform's
 * schemas are made from the client-go module helm is built with (kube-schemas.ts).
 */
const HELM = { module: 'helm.sh/helm/v3/cmd/helm', version: 'v3.22.0' };
const KUBECONFORM = { module: 'github.com/yannh/kubeconform/cmd/kubeconform', version: 'v0.8.0' };
const CLIENT_GO = 'v0.37.0'; // the k8s.io/client-go that helm v3.22.0 requires
const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'hookline', 'tools');
const CHART = path.join(__dirname, '../../deploy/helm/hookline');

function goBinary(tool: { module: string; version: string }): string {
  const name = path.basename(tool.module);
  const dir = path.join(CACHE, `${name}-${tool.version}`);
  const binary = path.join(dir, name);
  if (!existsSync(binary)) {
    console.log(`building ${name} ${tool.version} from its Go module into ${dir} (once)`);
    execFileSync('go', ['install', `${tool.module}@${tool.version}`], { stdio: 'inherit', env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' } });
  }
  return binary;
}

function schemas(): string {
  const dir = path.join(CACHE, `kube-schemas-${CLIENT_GO}`);
  if (!existsSync(dir) || readdirSync(dir).length === 0) {
    const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    const clientGo = path.join(modCache, `k8s.io/client-go@${CLIENT_GO}`);
    if (!existsSync(clientGo)) execFileSync('go', ['mod', 'download', `k8s.io/client-go@${CLIENT_GO}`], { stdio: 'inherit', cwd: os.tmpdir(), env: { ...process.env, GOFLAGS: '-mod=mod' } });
    console.log(`${writeKubeSchemas(clientGo, dir)} Kubernetes schemas made in ${dir}`);
  }
  return dir;
}

function validate(kubeconform: string, schemaDir: string, manifests: string, what: string): void {
  const result = spawnSync(kubeconform, ['-strict', '-summary', '-schema-location', path.join(schemaDir, '{{ .ResourceKind }}{{ .KindSuffix }}.json')], { input: manifests, encoding: 'utf8' });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.status !== 0) throw new Error(`kubeconform refused the chart rendered with ${what}`);
}

function check(helm: string, kubeconform: string, schemaDir: string, valuesFile: string): void {
  const values = ['-f', path.join(CHART, 'ci', valuesFile)];
  execFileSync(helm, ['lint', '--strict', CHART, ...values], { stdio: 'inherit' });
  validate(kubeconform, schemaDir, execFileSync(helm, ['template', 'hookline', CHART, ...values], { encoding: 'utf8' }), `ci/${valuesFile}`);
}

/** docs/helm.md's example, as a reader runs it from the repository's root. */
function checkDocExample(helm: string, kubeconform: string, schemaDir: string): void {
  const manifests = execFileSync('bash', ['-euo', 'pipefail', '-c', docExample('helm.md')], {
    cwd: path.join(__dirname, '../..'),
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.dirname(helm)}:${process.env.PATH}` },
  });
  validate(kubeconform, schemaDir, manifests, 'the example of docs/helm.md');
}

const helm = goBinary(HELM);
const kubeconform = goBinary(KUBECONFORM);
const schemaDir = schemas();
for (const file of ['default-values.yaml', 'all-on-values.yaml']) check(helm, kubeconform, schemaDir, file);
checkDocExample(helm, kubeconform, schemaDir);
console.log('chart: helm lint and kubeconform -strict passed on the default and all-on values and on the docs example');
