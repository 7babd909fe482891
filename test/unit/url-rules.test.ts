import { checkEndpointUrl, isPrivateAddress } from '../../domain/url-rules';

const production = { production: true, allowPrivateTargets: false };
const development = { production: false, allowPrivateTargets: false };
const resolveTo = (...addresses: string[]) => async () => addresses;

describe('private address detection', () => {
  test.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0',
    '::1', '::', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::10.0.0.1', '[::1]',
  ])('%s is refused', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  test.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  );
});

describe('endpoint URL rules', () => {
  test('http is fine in development, refused in production', async () => {
    expect(await checkEndpointUrl('http://example.com/hook', development)).toBeNull();
    expect(await checkEndpointUrl('http://example.com/hook', production, resolveTo('93.184.216.34'))).toMatch(/https/);
    expect(await checkEndpointUrl('https://example.com/hook', production, resolveTo('93.184.216.34'))).toBeNull();
  });
  test('non-http schemes, credentials and garbage are refused everywhere', async () => {
    expect(await checkEndpointUrl('ftp://example.com', development)).toMatch(/http/);
    expect(await checkEndpointUrl('https://user:pw@example.com', development)).toMatch(/credentials/);
    expect(await checkEndpointUrl('not a url', development)).toMatch(/absolute/);
  });
  test('in production, hosts that are or resolve to private addresses are refused', async () => {
    for (const url of ['https://127.0.0.1/', 'https://10.0.0.8/', 'https://169.254.169.254/latest', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/']) {
      expect(await checkEndpointUrl(url, production)).toMatch(/private/);
    }
    expect(await checkEndpointUrl('https://internal.example/', production, resolveTo('93.184.216.34', '10.0.0.1'))).toMatch(/10\.0\.0\.1/);
    expect(await checkEndpointUrl('https://localhost/', production)).toMatch(/private/);
  });
  test('HOOKLINE_ALLOW_PRIVATE_TARGETS lifts the address check', async () => {
    expect(await checkEndpointUrl('https://127.0.0.1/', { production: true, allowPrivateTargets: true })).toBeNull();
  });
});
