import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, startStack, type Stack } from '../../tools/testkit/stack';
import { startReceiver, type Receiver } from '../../tools/testkit/receiver';
import { waitFor } from '../../tools/testkit/wait';
import { docExample } from '../../tools/testkit/doc-example';
import { runProcess } from '../harness/run-process';

/**
 * The Go and Python clients' own test suites, and the CLI, against a real stack (API, worker,
 * Temporal, Postgres): each client's test also checks that it covers /openapi.json exactly.
 */
const ROOT = path.join(__dirname, '../..');
let stack: Stack;
let receiver: Receiver;
beforeAll(async () => {
  [stack, receiver] = await Promise.all([startStack(), startReceiver(204)]);
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const run = (command: string, args: string[], opts: Parameters<typeof runProcess>[2] = {}) => runProcess(command, args, { ...opts, cwd: opts.cwd ?? ROOT });

const stackEnv = () => ({ HOOKLINE_URL: stack.api.url, HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN });

test('the Go client passes its tests against the stack, none skipped', async () => {
  const { code, stdout, stderr } = await run('go', ['test', '-count=1', '-v', './...'], { cwd: path.join(ROOT, 'clients/go'), env: stackEnv() });
  expect({ code, skipped: stdout.includes('--- SKIP'), tail: (stdout + stderr).slice(-2000) }).toMatchObject({ code: 0, skipped: false });
  expect(stdout).toContain('--- PASS: TestClientCoversTheOpenAPIDocumentExactly');
}, 300_000);

test('the Python client passes its tests against the stack, none skipped', async () => {
  const { code, stderr } = await run('python3', ['-m', 'unittest', '-v'], { cwd: path.join(ROOT, 'clients/python'), env: stackEnv() });
  expect({ code, skipped: /skipped/.test(stderr), tail: stderr.slice(-2000) }).toMatchObject({ code: 0, skipped: false });
  expect(stderr).toMatch(/^test_every_operation_of_the_openapi_document_has_a_method_and_no_method_calls_a_missing_one .*\.\.\. ok$/m);
}, 300_000);

describe('the hookline CLI', () => {
  const cli = (args: string[], token: string, input?: string) => run('npx', ['hookline', ...args], { env: { HOOKLINE_URL: stack.api.url, HOOKLINE_TOKEN: token }, input });

  test('events publish then deliveries tail --once shows the attempt', async () => {
    const tenant = await stack.newTenant('cli');
    const endpoint = await tenant.api.createWebhook({ url: receiver.url, events: ['card.viewed'] });
    const published = await cli(['events', 'publish', '--tenant', tenant.id, '--type', 'card.viewed', '--id', 'cli-1', '--json', '{"cardId":"c_1"}'], ADMIN_TOKEN);
    expect(published).toMatchObject({ code: 0 });
    expect(JSON.parse(published.stdout)).toEqual({ id: 'cli-1' });
    const [delivery] = await waitFor(async () => {
      const page = await tenant.api.searchDeliveries({ endpointId: endpoint.id, status: 'success' });
      return page.data.length ? page.data : undefined;
    });
    const tailed = await cli(['deliveries', 'tail', '--once'], tenant.apiKey);
    expect(tailed).toMatchObject({ code: 0, stderr: '' });
    expect(tailed.stdout).toMatch(new RegExp(`✔ 204 +attempt 1 .*card\\.viewed +${delivery!.id} → ${endpoint.id}`));
  }, 180_000);

  test('data comes from stdin too, and an API error exits 1 with its code and message', async () => {
    const tenant = await stack.newTenant('cli');
    const fromStdin = await cli(['events', 'publish', '--tenant', tenant.id, '--type', 'card.viewed', '--json', '-'], ADMIN_TOKEN, '{"cardId":"c_2"}');
    expect(fromStdin.code).toBe(0);
    const missing = await cli(['endpoints', 'get', 'ep_missing'], tenant.apiKey);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^hookline: 404 not_found: /);
    const usage = await cli(['endpoints', 'create'], tenant.apiKey);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing --url');
  }, 180_000);
});

describe('the examples in docs/ run as written', () => {
  const exampleEnv = () => ({ ...stackEnv(), RECEIVER_URL: receiver.url });

  test('docs/clients/go.md', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hookline-go-example-'));
    writeFileSync(path.join(dir, 'main.go'), docExample('clients/go.md'));
    writeFileSync(path.join(dir, 'go.mod'), `module example\n\ngo 1.23\n\nrequire github.com/hookline/hookline/clients/go v0.0.0\n\nreplace github.com/hookline/hookline/clients/go => ${path.join(ROOT, 'clients/go')}\n`);
    const result = await run('go', ['run', '.'], { cwd: dir, env: { ...exampleEnv(), GOFLAGS: '-mod=mod' } });
    expect({ code: result.code, stderr: result.stderr.slice(-1000) }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^delivered \S+ after 1 attempt\(s\)$/m);
  }, 300_000);

  test('docs/clients/python.md', async () => {
    const result = await run('python3', ['-c', docExample('clients/python.md')], { env: { ...exampleEnv(), PYTHONPATH: path.join(ROOT, 'clients/python') } });
    expect({ code: result.code, stderr: result.stderr.slice(-1000) }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^delivered \S+ after 1 attempt\(s\)$/m);
  }, 120_000);

  test('docs/cli.md', async () => {
    const tenant = await stack.newTenant('cli-doc');
    const endpoint = await tenant.api.createWebhook({ url: receiver.url, events: ['card.viewed'] });
    const result = await run('bash', ['-euo', 'pipefail', '-c', docExample('cli.md')], {
      env: { HOOKLINE_URL: stack.api.url, ADMIN: ADMIN_TOKEN, TENANT: tenant.id, TENANT_KEY: tenant.apiKey },
    });
    expect({ code: result.code, stderr: result.stderr.slice(-1000) }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`✔ 204 +attempt 1 .*card\\.viewed .*→ ${endpoint.id}`));
  }, 300_000);
});
