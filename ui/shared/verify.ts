import { h } from './dom';

/**
 * "How to verify": the receiver's code for the endpoint's signature scheme, in a few languages.
 * v1 (Standard Webhooks): HMAC-SHA256 under the key in the `whsec_<base64>` secret. v1a: Ed25519;
 * the endpoint's `publicKey` is `whpk_<base64 of the raw 32-byte key>`. Both sign
 * "<webhook-id>.<webhook-timestamp>.<raw body>"; `webhook-signature` holds one or more
 * space-separated "<version>,<base64 signature>" entries (more than one during a rotation).
 * test/unit/verify-samples.test.ts runs the Node.js samples against requests Hookline signed.
 */
export type Sample = [language: string, code: string];

export const hmacSamples = (): Sample[] => [
  ['Node.js', `import { createHmac, timingSafeEqual } from 'node:crypto';

const SECRET = process.env.WEBHOOK_SECRET; // whsec_...

// rawBody: the request body exactly as received (a string, before JSON.parse)
function verifyWebhook(headers, rawBody) {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  if (!id || !/^\\d+$/.test(ts ?? '') || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const key = Buffer.from(SECRET.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(\`\${id}.\${ts}.\${rawBody}\`).digest();
  return (headers['webhook-signature'] ?? '').split(' ').some((entry) => {
    const [version, sig = ''] = entry.split(',');
    const given = Buffer.from(sig, 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
// Or: new Webhook(SECRET).verify(rawBody, headers) from the standardwebhooks package.`],
  ['Python', `import base64, hashlib, hmac, time

def verify(secret: str, headers, raw_body: bytes) -> None:
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > 300:
        raise ValueError("timestamp too old")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{ts}.".encode() + raw_body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for sig in headers["webhook-signature"].split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise ValueError("bad signature")`],
  ['Go', `func verify(secret string, h http.Header, body []byte) error {
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || math.Abs(float64(time.Now().Unix()-t)) > 300 {
		return errors.New("bad timestamp")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Split(h.Get("webhook-signature"), " ") {
		if v, ok := strings.CutPrefix(sig, "v1,"); ok && hmac.Equal([]byte(v), []byte(want)) {
			return nil
		}
	}
	return errors.New("bad signature")
}`],
];

export const ed25519Samples = (publicKey: string): Sample[] => [
  ['Node.js', `import { createPublicKey, verify } from 'node:crypto';

const PUBLIC_KEY = ${JSON.stringify(publicKey)};
// whpk_ + base64 of the raw 32-byte Ed25519 public key
const raw = Buffer.from(PUBLIC_KEY.replace(/^whpk_/, ''), 'base64');
const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });

// rawBody: the request body exactly as received (a string, before JSON.parse)
function verifyWebhook(headers, rawBody) {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  if (!id || !/^\\d+$/.test(ts ?? '') || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const signed = Buffer.from(\`\${id}.\${ts}.\${rawBody}\`);
  return (headers['webhook-signature'] ?? '').split(' ').some((entry) =>
    entry.startsWith('v1a,') && verify(null, signed, key, Buffer.from(entry.slice(4), 'base64')));
}`],
  ['Python (PyNaCl)', `import base64, time
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey  # or cryptography's Ed25519PublicKey.from_public_bytes(raw)

PUBLIC_KEY = ${JSON.stringify(publicKey)}
verify_key = VerifyKey(base64.b64decode(PUBLIC_KEY.removeprefix("whpk_")))

def verify(headers, raw_body: bytes) -> None:
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(ts)) > 300:
        raise ValueError("timestamp too old")
    signed = f"{msg_id}.{ts}.".encode() + raw_body
    for sig in headers["webhook-signature"].split(" "):
        version, _, value = sig.partition(",")
        if version == "v1a":
            try:
                verify_key.verify(signed, base64.b64decode(value))
                return
            except BadSignatureError:
                pass
    raise ValueError("bad signature")`],
  ['Go', `const publicKey = ${JSON.stringify(publicKey)}

func verify(h http.Header, body []byte) error {
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || math.Abs(float64(time.Now().Unix()-t)) > 300 {
		return errors.New("bad timestamp")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(publicKey, "whpk_"))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return errors.New("bad public key")
	}
	msg := append([]byte(id+"."+ts+"."), body...)
	for _, entry := range strings.Split(h.Get("webhook-signature"), " ") {
		if v, ok := strings.CutPrefix(entry, "v1a,"); ok {
			if sig, err := base64.StdEncoding.DecodeString(v); err == nil && ed25519.Verify(ed25519.PublicKey(raw), msg, sig) {
				return nil
			}
		}
	}
	return errors.New("bad signature")
}`],
];

export function verifyPanel(endpoint?: Record<string, unknown>): HTMLElement {
  const publicKey = typeof endpoint?.publicKey === 'string' ? endpoint.publicKey : null;
  const asymmetric = publicKey !== null && endpoint?.signatureScheme === 'v1a';
  const samples = asymmetric ? ed25519Samples(publicKey) : hmacSamples();
  return h(
    'section', { class: 'verify', 'aria-labelledby': 'verify-title' },
    h('h3', { id: 'verify-title' }, 'How to verify'),
    h('p', {}, asymmetric
      ? 'This endpoint is signed with Ed25519 (Standard Webhooks v1a). Verify with its public key (whpk_…); no secret is needed. Verify the raw body before you parse it, and drop repeats by webhook-id.'
      : 'Every request carries the Standard Webhooks headers webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 with your whsec_ secret). Verify the raw body before you parse it, and drop repeats by webhook-id.'),
    samples.map(([lang, code], i) => h('details', { open: i === 0 }, h('summary', {}, lang), h('pre', { class: 'code', tabindex: 0 }, h('code', {}, code)))),
  );
}
