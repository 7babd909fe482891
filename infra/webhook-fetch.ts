import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { isMetadataHostName } from '../domain/cloud-metadata';
import { isPrivateAddress, metadataServiceBehind } from '../domain/url-rules';

/** Raised when a send would reach a refused (private, loopback, metadata) address. */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

export type WebhookFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface WebhookFetchOptions {
  refusePrivateTargets: boolean;
  /** Production: cloud metadata services are refused even when private targets are allowed. */
  refuseMetadataTargets?: boolean;
  /** Production: an endpoint stored as http (before a config change) is not sent over http. */
  requireHttps?: boolean;
  connectionsPerOrigin?: number;
}

/**
 * The fetch that deliveries use: pooled keep-alive connections, and, when private targets are
 * refused, an address check at connect time, so a DNS answer that changes after the endpoint
 * was created (rebinding) cannot reach inside the network either.
 */
export function createWebhookFetch(opts: WebhookFetchOptions): WebhookFetch {
  const refused = refusalOf(opts);
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connections: opts.connectionsPerOrigin ?? 128,
    connect: refused ? { lookup: guardedLookup(refused) } : {},
  });
  return async (url, init) => {
    const target = new URL(url);
    if (opts.requireHttps && target.protocol !== 'https:') throw new TargetRefusedError(`${target.protocol} is not allowed in production: https only`);
    if (refused) {
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (isMetadataHostName(host)) throw new TargetRefusedError(`${host} is a cloud metadata service`);
      const why = isIP(host) ? refused(host) : null;
      if (why) throw new TargetRefusedError(`${host} is ${why}`);
    }
    return (await undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as Response;
  };
}

/** Why an address is refused ("a private or reserved address", "a cloud metadata service"), or null; null when nothing is. */
function refusalOf(opts: WebhookFetchOptions): ((address: string) => string | null) | null {
  if (opts.refusePrivateTargets) return (a) => (metadataServiceBehind(a) ? 'a cloud metadata service' : isPrivateAddress(a) ? 'a private or reserved address' : null);
  if (opts.refuseMetadataTargets) return (a) => (metadataServiceBehind(a) ? 'a cloud metadata service' : null);
  return null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

const guardedLookup = (refused: (address: string) => string | null) => (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    for (const a of addresses) {
      const why = refused(a.address);
      if (why) return callback(new TargetRefusedError(`${hostname} resolves to ${a.address}, ${why}`), []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
