import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN } from '../../tools/testkit/stack';
import { useStackAndReceiver } from '../harness/use-stack';

const env = useStackAndReceiver();

test('a newcomer following the README quickstart sees the event delivered and logged', async () => {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const block = /<!-- quickstart:start -->\s*```bash\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const tenant = `readme-${randomBytes(4).toString('hex')}`;
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', block!], {
    env: { ...process.env, HOOKLINE: env.stack.api.url, RECEIVER: env.receiver.url, TENANT: tenant, ADMIN: ADMIN_TOKEN },
  });
  const delivery = JSON.parse(stdout.slice(stdout.indexOf('{', stdout.indexOf('}') + 1)));
  expect(delivery).toMatchObject({ status: 'success', eventType: 'signing.completed', attempts: [{ attempt: 1, responseStatus: 200 }] });
  expect(JSON.parse(env.receiver.requests[0]!.body).data).toEqual({ documentId: 'doc_1' });
});
