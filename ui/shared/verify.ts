import { h } from './dom';

/**
 * "How to verify": the receiver's code for the endpoint's signature scheme, in a few languages.
 * Standard Webhooks v1 (HMAC-SHA256 under the whsec_ secret) is what every endpoint has today; an
 * endpoint that reports `signatureScheme: "v1a"` with a `publicKey` (asymmetric, Ed25519) gets those samples.
 */
const HMAC: [string, string][] = [
  ['Node.js (standardwebhooks)', `import { Webhook } from 'standardwebhooks';

// rawBody: the request body exactly as received (a string, not parsed JSON)
const wh = new Webhook(process.env.WEBHOOK_SECRET); // whsec_...
const event = wh.verify(rawBody, {
  'webhook-id': req.headers['webhook-id'],
  'webhook-timestamp': req.headers['webhook-timestamp'],
  'webhook-signature': req.headers['webhook-signature'],
}); // throws unless signed with your secret, within 5 minutes`],
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
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
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

const ed25519 = (publicKey: string): [string, string][] => [
  ['Node.js', `import { createPublicKey, verify } from 'node:crypto';

const PUBLIC_KEY = ${JSON.stringify(publicKey)};
const key = createPublicKey({ key: Buffer.from(PUBLIC_KEY.replace(/^whpk_/, ''), 'base64'), format: 'der', type: 'spki' });
const signed = Buffer.from(\`\${headers['webhook-id']}.\${headers['webhook-timestamp']}.\${rawBody}\`);
const ok = headers['webhook-signature'].split(' ').some((s) =>
  s.startsWith('v1a,') && verify(null, signed, key, Buffer.from(s.slice(4), 'base64')));`],
  ['Python (cryptography)', `from base64 import b64decode
from cryptography.hazmat.primitives.serialization import load_der_public_key

key = load_der_public_key(b64decode(${JSON.stringify(publicKey)}.removeprefix("whpk_")))
signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + raw_body
for sig in headers["webhook-signature"].split(" "):
    if sig.startswith("v1a,"):
        key.verify(b64decode(sig[4:]), signed)  # raises InvalidSignature`],
];

export function verifyPanel(endpoint?: Record<string, unknown>): HTMLElement {
  const publicKey = typeof endpoint?.publicKey === 'string' ? endpoint.publicKey : null;
  const asymmetric = publicKey !== null && String(endpoint?.signatureScheme ?? 'v1a').includes('v1a');
  const samples = asymmetric ? ed25519(publicKey) : HMAC;
  return h(
    'section', { class: 'verify', 'aria-labelledby': 'verify-title' },
    h('h3', { id: 'verify-title' }, 'How to verify'),
    h('p', {}, asymmetric
      ? 'This endpoint is signed with Ed25519 (Standard Webhooks v1a). Verify with its public key; no secret is needed.'
      : 'Every request carries the Standard Webhooks headers webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 with your whsec_ secret). Verify the raw body before you parse it, and drop repeats by webhook-id.'),
    samples.map(([lang, code], i) => h('details', { open: i === 0 }, h('summary', {}, lang), h('pre', { class: 'code', tabindex: 0 }, h('code', {}, code)))),
  );
}
