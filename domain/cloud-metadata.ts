import { isIP } from 'node:net';

/**
 * Cloud instance-metadata services: they hand out the machine's credentials to whoever asks from
 * inside it, so a webhook must never reach them, whatever range they sit in (Azure's WireServer and
 * Alibaba's service are not in a private range) and even when private targets are allowed.
 */
export const CLOUD_METADATA_ADDRESSES: Readonly<Record<string, string>> = {
  '169.254.169.254': 'AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack instance metadata',
  '169.254.170.2': 'AWS ECS task metadata and credentials',
  'fd00:ec2::254': 'AWS instance metadata over IPv6',
  'fd20:ce::254': 'GCP metadata server over IPv6',
  '168.63.129.16': 'Azure WireServer and host agent',
  '100.100.100.200': 'Alibaba Cloud instance metadata',
  '169.254.0.23': 'Tencent Cloud instance metadata',
  '169.254.42.42': 'Scaleway instance metadata',
  'fd00:42::42': 'Scaleway instance metadata over IPv6',
  '192.0.0.192': 'Oracle Cloud legacy instance metadata',
};

/** Names that resolve to a metadata service inside its cloud (refused before any DNS lookup). */
export const CLOUD_METADATA_HOSTS: readonly string[] = [
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
];

const canonical = (ip: string) => (isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip);
const ADDRESSES = new Map(Object.entries(CLOUD_METADATA_ADDRESSES).map(([ip, what]) => [canonical(ip), what]));

/** What metadata service `address` (an IP, in canonical or any textual form) is, or null. */
export function metadataServiceAt(address: string): string | null {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIP(ip)) return null;
  return ADDRESSES.get(canonical(ip).toLowerCase()) ?? null;
}

/** True for a host name that names a metadata service (any letter case, with or without a trailing dot). */
export function isMetadataHostName(host: string): boolean {
  return CLOUD_METADATA_HOSTS.includes(host.toLowerCase().replace(/\.$/, ''));
}
