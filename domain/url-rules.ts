import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { isMetadataHostName, metadataServiceAt } from './cloud-metadata';

/** Which endpoint URLs Hookline accepts, and which network targets it refuses to reach (SSRF). */

// ipaddr.js keeps the IANA special-purpose registries; anything it names (loopback, private,
// link-local, CGNAT, reserved, benchmarking, ...) is not 'unicast'. Only global unicast is reachable.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const WELL_KNOWN_NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 255, low >> 8, low & 255]);

/** The IPv4 addresses an IPv6 address carries, for the forms that translate or tunnel to them; null for any other. */
function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const p = ip.parts;
  switch (ip.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return [v4(p[6]!, p[7]!)];
    case 'rfc6052': // NAT64: only the well-known /96 says where the IPv4 part is; local-use prefixes are refused
      return ip.match(WELL_KNOWN_NAT64) ? [v4(p[6]!, p[7]!)] : null;
    case '6to4': // 2002:aabb:ccdd::/48
      return [v4(p[1]!, p[2]!)];
    case 'teredo': // 2001:0:<server>:<flags>:<port>:<client, inverted>
      return [v4(p[2]!, p[3]!), v4(~p[6]! & 0xffff, ~p[7]! & 0xffff)];
    default:
      return null;
  }
}

function isGlobalUnicast(ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (metadataServiceAt(ip.toString())) return false;
  if (ip.kind() === 'ipv4') return ip.range() === 'unicast';
  const v6 = ip as ipaddr.IPv6;
  const carried = embeddedIpv4(v6);
  if (carried) return carried.every(isGlobalUnicast);
  return v6.match(GLOBAL_UNICAST_V6) && v6.range() === 'unicast';
}

const parseLiteral = (address: string) => {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  // ipaddr.js reads the deprecated ::a.b.c.d as ::ffff:a.b.c.d; the WHATWG form (::xxxx:xxxx) is what gets dialled.
  return family ? ipaddr.parse(family === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip) : null;
};

/**
 * The cloud metadata service (domain/cloud-metadata.ts) `address` reaches, directly or through an
 * IPv6 form that carries it (mapped, NAT64, 6to4, Teredo), or null.
 */
export function metadataServiceBehind(address: string): string | null {
  const ip = parseLiteral(address);
  if (!ip) return null;
  const direct = metadataServiceAt(ip.toString());
  if (direct || ip.kind() === 'ipv4') return direct;
  for (const carried of embeddedIpv4(ip as ipaddr.IPv6) ?? []) {
    const found = metadataServiceAt(carried.toString());
    if (found) return found;
  }
  return null;
}

/**
 * True for every address that is not global unicast: loopback, private, link-local, CGNAT, multicast,
 * reserved, every cloud metadata address (some sit in public ranges), and IPv6 forms (mapped, NAT64,
 * 6to4, Teredo) of those.
 */
export function isPrivateAddress(address: string): boolean {
  const ip = parseLiteral(address);
  return !ip || !isGlobalUnicast(ip);
}

export interface UrlPolicy {
  production: boolean;
  allowPrivateTargets: boolean;
}

/** The end of a problem that is the name's lookup failing, not its address refused: at send time it may be passing. */
export const DOES_NOT_RESOLVE = 'does not resolve';

export type Resolver = (host: string) => Promise<string[]>;
/** How long a request waits on DNS for a URL it checks; a name whose server does not answer is refused, not waited on. */
export const RESOLVE_TIMEOUT_MS = 5_000;

/** `resolve`, failing when it has not answered within `ms`. */
export function resolverWithin(resolve: Resolver, ms: number): Resolver {
  return (host) =>
    new Promise<string[]>((resolved, rejected) => {
      const timer = setTimeout(() => rejected(new Error(`no DNS answer for ${host} within ${ms} ms`)), ms);
      resolve(host).then(resolved, rejected).finally(() => clearTimeout(timer));
    });
}

export const systemResolver: Resolver = resolverWithin(async (host) => (await lookup(host, { all: true })).map((a) => a.address), RESOLVE_TIMEOUT_MS);

/** Returns why `raw` is refused as an endpoint URL, or null when it is acceptable. */
export async function checkEndpointUrl(raw: string, policy: UrlPolicy, resolve: Resolver = systemResolver): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (policy.production && url.protocol !== 'https:') return 'must use https in production';
  if (url.username || url.password) return 'must not contain credentials';
  if (!url.hostname) return 'must have a host';
  return hostProblem(url.hostname, policy, resolve);
}

/**
 * Returns why a broker's `serverUrl` is refused, or null: in production it must use one of the
 * type's TLS schemes (credentials cross the network) and reach only global addresses, as for HTTP.
 */
export async function checkBrokerUrl(raw: string, tlsSchemes: string[], policy: UrlPolicy, resolve: Resolver = systemResolver): Promise<string | null> {
  const url = new URL(raw);
  if (policy.production && !tlsSchemes.includes(url.protocol)) return `must use ${tlsSchemes.map((s) => `${s}//`).join(' or ')} in production`;
  return hostProblem(url.hostname, policy, resolve);
}

async function hostProblem(hostname: string, policy: UrlPolicy, resolve: Resolver): Promise<string | null> {
  if (!policy.production) return null;
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isMetadataHostName(host)) return `host ${host} is a cloud metadata service`;
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    // With private targets allowed an internal name may resolve only where the worker runs.
    return policy.allowPrivateTargets ? null : `host ${host} ${DOES_NOT_RESOLVE}`;
  }
  // Allowing private targets never allows a metadata service.
  for (const address of addresses) {
    const service = metadataServiceBehind(address);
    if (service) return `host ${host} is a cloud metadata service (${address}: ${service})`;
  }
  if (policy.allowPrivateTargets) return null;
  const bad = addresses.find(isPrivateAddress);
  // Not the address itself: it would answer anyone who asks what an internal name resolves to.
  return bad ? `host ${host} resolves to a private or reserved address` : null;
}
