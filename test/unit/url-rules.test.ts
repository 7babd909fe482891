import { checkEndpointUrl, isPrivateAddress, resolverWithin } from '../../domain/url-rules';

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

  // IPv6 forms that carry or reach an IPv4 address, and the ranges a hand list forgot.
  test.each([
    ['6to4 of the metadata address', '2002:a9fe:a9fe::1'],
    ['6to4 of loopback', '2002:7f00:1::'],
    ['6to4 of a private network', '2002:0a00:0001::1'],
    ['Teredo with a private client', '2001:0:4136:e378:8000:63bf:f5ff:fffe'],
    ['Teredo with a loopback server', '2001:0:7f00:1:0:0:bd3c:8a0'],
    ['local-use NAT64 (RFC 8215)', '64:ff9b:1::a00:1'],
    ['local-use NAT64 of a public address', '64:ff9b:1::808:808'],
    ['NAT64 of the metadata address', '64:ff9b::a9fe:a9fe'],
    ['SIIT IPv4-translated (RFC 6145)', '::ffff:0:a00:1'],
    ['IPv4-mapped, hex form', '::ffff:a00:1'],
    ['IPv4-compatible (deprecated)', '::8.8.8.8'],
    ['site-local (deprecated)', 'fec0::1'],
    ['documentation', '2001:db8::1'],
    ['benchmarking', '2001:2::1'],
    ['ORCHIDv2', '2001:20::1'],
    ['outside global unicast 2000::/3', '4000::1'],
    ['segment routing', '5f00::1'],
    ['IPv4 broadcast', '255.255.255.255'],
    ['IPv4 benchmarking', '198.18.0.1'],
    ['zone id on link-local', 'fe80::1%eth0'],
    ['not an address', 'example.com'],
  ])('%s (%s) is refused', (_what, ip) => expect(isPrivateAddress(ip)).toBe(true));

  test.each([
    ['6to4 of a public address', '2002:808:808::1'],
    ['Teredo with public server and client', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'],
    ['NAT64 of a public address', '64:ff9b::808:808'],
    ['SIIT of a public address', '::ffff:0:808:808'],
  ])('%s (%s) is reachable', (_what, ip) => expect(isPrivateAddress(ip)).toBe(false));
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
      expect(await checkEndpointUrl(url, production)).toMatch(/private|metadata/);
    }
    expect(await checkEndpointUrl('https://internal.example/', production, resolveTo('93.184.216.34', '10.0.0.1'))).toBe('host internal.example resolves to a private or reserved address');
    expect(await checkEndpointUrl('https://localhost/', production)).toMatch(/private|metadata/);
  });
  test('an IPv6 literal that tunnels to the metadata address is refused in production', async () => {
    expect(await checkEndpointUrl('https://[2002:a9fe:a9fe::1]/', production)).toMatch(/private|metadata/);
    expect(await checkEndpointUrl('https://[64:ff9b:1::a9fe:a9fe]/', production)).toMatch(/private|metadata/);
  });
  test('HOOKLINE_ALLOW_PRIVATE_TARGETS lifts the address check', async () => {
    expect(await checkEndpointUrl('https://127.0.0.1/', { production: true, allowPrivateTargets: true })).toBeNull();
  });
});

describe('cloud metadata services are refused in production whatever range they sit in', () => {
  const allowPrivate = { production: true, allowPrivateTargets: true };
  test.each([
    ['Azure WireServer (a public range)', '168.63.129.16'],
    ['Alibaba (CGNAT range)', '100.100.100.200'],
    ['the link-local metadata address', '169.254.169.254'],
    ['AWS ECS credentials', '169.254.170.2'],
    ['AWS over IPv6', 'fd00:ec2::254'],
    ['AWS over IPv6, long form', 'fd00:0ec2:0000:0000:0000:0000:0000:0254'],
    ['GCP over IPv6', 'fd20:ce::254'],
    ['Azure WireServer, IPv4-mapped', '::ffff:168.63.129.16'],
    ['Azure WireServer, 6to4', '2002:a83f:8110::1'],
    ['Azure WireServer, NAT64', '64:ff9b::a83f:8110'],
  ])('%s (%s): a private address, and refused even with private targets allowed', async (_what, ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
    const url = ip.includes(':') ? `https://[${ip}]/` : `https://${ip}/`;
    expect(await checkEndpointUrl(url, production)).toMatch(/metadata/);
    expect(await checkEndpointUrl(url, allowPrivate)).toMatch(/cloud metadata service/);
  });

  test('metadata host names are refused before any lookup; a name that resolves to one is refused', async () => {
    const never = async () => { throw new Error('no lookup expected'); };
    for (const host of ['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata.goog', 'instance-data.ec2.internal']) {
      expect(await checkEndpointUrl(`https://${host}/computeMetadata/v1/`, allowPrivate, never)).toMatch(/cloud metadata service/);
    }
    expect(await checkEndpointUrl('https://wire.example/', allowPrivate, resolveTo('168.63.129.16'))).toMatch(/168\.63\.129\.16: Azure/);
    expect(await checkEndpointUrl('https://internal.example/', allowPrivate, resolveTo('10.0.0.1'))).toBeNull();
  });

  test('in development nothing is resolved or refused (receivers on 127.0.0.1)', async () => {
    expect(await checkEndpointUrl('http://168.63.129.16/', development)).toBeNull();
  });

  test('a neighbour of a metadata address in a public range stays reachable', () => {
    expect(isPrivateAddress('168.63.129.17')).toBe(false);
  });
});

test('a name whose DNS server never answers is refused after the timeout, not waited on', async () => {
  const silent = resolverWithin(() => new Promise<string[]>(() => undefined), 50);
  const started = Date.now();
  const problem = await checkEndpointUrl('https://slow.example.test/hook', { production: true, allowPrivateTargets: false }, silent);
  expect(problem).toBe('host slow.example.test does not resolve');
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(resolverWithin(async () => ['93.184.216.34'], 50)('example.com')).resolves.toEqual(['93.184.216.34']);
});

test('a name resolving to a private address is refused without saying the address (no oracle for internal names)', async () => {
  const production = { production: true, allowPrivateTargets: false };
  expect(await checkEndpointUrl('https://db.internal.example/hook', production, async () => ['10.1.2.3'])).toBe('host db.internal.example resolves to a private or reserved address');
});
