import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '../../domain/secrets';
import { legacySignatureFor, signRequest, verifyWebhook, WebhookVerificationError, webhookMessageId } from '../../domain/signing';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const timestamp = 1614265330;
const body = '{"test": 2432232314}';

describe('Standard Webhooks signatures', () => {
  test('match the specification test vector', () => {
    const headers = signRequest({ secrets: [secret], id, timestampSeconds: timestamp, body });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('what we sign, the standardwebhooks package verifies', () => {
    const s = generateWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signRequest({ secrets: [s], id, timestampSeconds: now, body });
    expect(new Webhook(s).verify(body, headers)).toEqual(JSON.parse(body));
  });

  test('what the standardwebhooks package signs, verifyWebhook accepts', () => {
    const s = generateWebhookSecret();
    const date = new Date();
    const signature = new Webhook(s).sign(id, date, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(date.getTime() / 1000)), 'webhook-signature': signature };
    expect(verifyWebhook(s, headers, body)).toEqual(JSON.parse(body));
  });

  test('during a rotation both secrets sign, and a receiver with either one verifies', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const now = Math.floor(Date.now() / 1000);
    const headers = signRequest({ secrets: [newSecret, oldSecret], id, timestampSeconds: now, body });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, headers)).toBeTruthy();
    expect(new Webhook(newSecret).verify(body, headers)).toBeTruthy();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });

  test('verifyWebhook refuses a tampered body, a wrong secret and a stale timestamp', () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = signRequest({ secrets: [secret], id, timestampSeconds: now, body });
    expect(() => verifyWebhook(secret, headers, body.replace('2', '3'))).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(generateWebhookSecret(), headers, body)).toThrow(WebhookVerificationError);
    const stale = signRequest({ secrets: [secret], id, timestampSeconds: now - 3600, body });
    expect(() => verifyWebhook(secret, stale, body)).toThrow(/tolerance/);
  });

  test('the legacy header is sha256=<hex HMAC of the body>', () => {
    // HMAC-SHA256(base64-decoded key, body), computed independently with openssl.
    expect(legacySignatureFor('whsec_' + Buffer.from('key').toString('base64'), 'The quick brown fox jumps over the lazy dog')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    const headers = signRequest({ secrets: [secret], id, timestampSeconds: timestamp, body, legacyHeader: 'X-Guardian-Signature' });
    expect(headers['x-guardian-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  test('webhook-id: one per (tenant, event), the same every time, different across tenants, and no pair forges another', () => {
    expect(webhookMessageId('acme', 'order-1')).toBe(webhookMessageId('acme', 'order-1'));
    expect(webhookMessageId('acme', 'order-1')).not.toBe(webhookMessageId('globex', 'order-1'));
    expect(webhookMessageId('a:b', 'c')).not.toBe(webhookMessageId('a', 'b:c'));
    expect(webhookMessageId('acme', 'order-1')).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
  });
});
