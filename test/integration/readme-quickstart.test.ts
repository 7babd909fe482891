import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { startReceiver, type Receiver } from '../harness/receiver';
import { ADMIN_TOKEN, startStack, type Stack } from '../harness/stack';

let stack: Stack;
let receiver: Receiver;
beforeAll(async () => {
  stack = await startStack();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

test('a newcomer following the README quickstart sees the event delivered and logged', async () => {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const block = /<!-- quickstart:start -->\s*```bash\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const tenant = `readme-${randomBytes(4).toString('hex')}`;
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block!], {
    env: { ...process.env, HOOKLINE: stack.api.url, RECEIVER: receiver.url, TENANT: tenant, ADMIN: ADMIN_TOKEN },
  });
  const delivery = JSON.parse(stdout.slice(stdout.indexOf('{', stdout.indexOf('}') + 1)));
  expect(delivery).toMatchObject({ status: 'success', eventType: 'signing.completed', attempts: [{ attempt: 1, responseStatus: 200 }] });
  expect(JSON.parse(receiver.requests[0]!.body).data).toEqual({ documentId: 'doc_1' });
});
