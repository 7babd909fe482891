import { randomBytes } from 'node:crypto';
import { importedSecretProblem } from '../../domain/endpoint-keys';

const whsec = (bytes: Buffer) => `whsec_${bytes.toString('base64')}`;

describe('imported secrets of visibly low entropy are refused, naming the rule', () => {
  test.each([
    ['24 zero bytes', whsec(Buffer.alloc(24)), /one byte repeated/],
    ['32 × "A" (24 zero bytes in base64)', `whsec_${'A'.repeat(32)}`, /one byte repeated/],
    ['64 × 0xff', whsec(Buffer.alloc(64, 0xff)), /one byte repeated/],
    ['"password" repeated', whsec(Buffer.from('password'.repeat(4))), /repeats every 8 bytes/],
    ['"ab" repeated', whsec(Buffer.from('ab'.repeat(16))), /repeats every 2 bytes/],
    ['a random half repeated', (() => { const half = randomBytes(16); return whsec(Buffer.concat([half, half])); })(), /repeats every 16 bytes/],
    ['few distinct bytes', whsec(Buffer.from('aabbaaccbbddaaeebbaaccdd01aa')), /at least 10 distinct byte values/],
    ['too short', whsec(randomBytes(16)), /24 to 64 bytes/],
  ])('%s', (_what, secret, rule) => {
    expect(importedSecretProblem(secret)).toMatch(rule);
  });
});

test('random keys of 24 to 64 bytes, and the test vectors elsewhere in the suite, are accepted', () => {
  for (let i = 0; i < 2_000; i++) expect(importedSecretProblem(whsec(randomBytes(24 + (i % 41))))).toBeNull();
  expect(importedSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeNull();
  expect(importedSecretProblem(whsec(Buffer.from(`imported-${Date.now()}-0123456789abcdef`)))).toBeNull();
});
