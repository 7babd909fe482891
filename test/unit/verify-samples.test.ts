import { createContext, runInContext } from 'node:vm';
import { generateEd25519Key, signWithKeys } from '../../domain/endpoint-keys';
import { generateWebhookSecret } from '../../domain/secrets';
import { ed25519Samples, hmacSamples } from '../../ui/shared/verify';

/**
 * The portal's "How to verify" Node.js samples are run as written (imports turned into requires)
 * against requests Hookline's own signer signed, so a sample that no longer verifies fails here.
 */
type Verify = (headers: Record<string, string>, rawBody: string) => boolean;

function load(code: string, env: Record<string, string> = {}): Verify {
  const script = code.replace(/^import \{ ([^}]+) \} from '([^']+)';$/gm, 'const { $1 } = require(\'$2\');');
  expect(script).not.toMatch(/^import /m);
  const context = createContext({ require, Buffer, process: { env }, Date, Math });
  return runInContext(`${script}\nverifyWebhook;`, context) as Verify;
}

const body = JSON.stringify({ type: 'signing.completed', data: { documentId: 'doc_1', note: 'ünïcode ✓' } });
const now = () => Math.floor(Date.now() / 1000);

describe('the Node.js verify samples', () => {
  test('v1: accepts a request signed with the whsec_ secret (also beside another key during a rotation), refuses a tampered or stale one', () => {
    const secret = generateWebhookSecret();
    const other = generateWebhookSecret();
    const verify = load(hmacSamples()[0]![1], { WEBHOOK_SECRET: secret });
    const signed = signWithKeys({ keys: [{ scheme: 'v1', secret: other }, { scheme: 'v1', secret }], id: 'msg_1', timestampSeconds: now(), body });
    expect(signed['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verify(signed, body)).toBe(true);
    expect(verify(signed, body.replace('doc_1', 'doc_2'))).toBe(false);
    expect(verify({ ...signed, 'webhook-id': 'msg_2' }, body)).toBe(false);
    const stale = signWithKeys({ keys: [{ scheme: 'v1', secret }], id: 'msg_1', timestampSeconds: now() - 600, body });
    expect(verify(stale, body)).toBe(false);
    const onlyOther = signWithKeys({ keys: [{ scheme: 'v1', secret: other }], id: 'msg_1', timestampSeconds: now(), body });
    expect(verify(onlyOther, body)).toBe(false);
  });

  test('v1a: accepts a request signed with the endpoint\'s ed25519 key using its whpk_ public key, refuses another key\'s or a tampered one', () => {
    const key = generateEd25519Key();
    const other = generateEd25519Key();
    expect(Buffer.from(key.publicKey.slice('whpk_'.length), 'base64')).toHaveLength(32);
    const verify = load(ed25519Samples(key.publicKey)[0]![1]);
    const signed = signWithKeys({ keys: [{ scheme: 'v1a', secret: key.privateKey }], id: 'msg_1', timestampSeconds: now(), body });
    expect(signed['webhook-signature']).toMatch(/^v1a,/);
    expect(verify(signed, body)).toBe(true);
    // During a rotation from a v1 secret, the entries are mixed.
    const mixed = signWithKeys({ keys: [{ scheme: 'v1', secret: generateWebhookSecret() }, { scheme: 'v1a', secret: key.privateKey }], id: 'msg_1', timestampSeconds: now(), body });
    expect(verify(mixed, body)).toBe(true);
    expect(verify(signed, `${body} `)).toBe(false);
    const byOther = signWithKeys({ keys: [{ scheme: 'v1a', secret: other.privateKey }], id: 'msg_1', timestampSeconds: now(), body });
    expect(verify(byOther, body)).toBe(false);
    const stale = signWithKeys({ keys: [{ scheme: 'v1a', secret: key.privateKey }], id: 'msg_1', timestampSeconds: now() - 600, body });
    expect(verify(stale, body)).toBe(false);
  });

  test('every sample names the key it verifies with', () => {
    const { publicKey } = generateEd25519Key();
    for (const [, code] of ed25519Samples(publicKey)) expect(code).toContain(publicKey);
    for (const [, code] of hmacSamples()) expect(code).toMatch(/whsec_/);
  });
});
