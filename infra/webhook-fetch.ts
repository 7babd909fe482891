import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { isPrivateAddress } from '../domain/url-rules';

/** Raised when a send would reach a refused (private, loopback, metadata) address. */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

export type WebhookFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface WebhookFetchOptions {
  refusePrivateTargets: boolean;
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
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connections: opts.connectionsPerOrigin ?? 128,
    connect: opts.refusePrivateTargets ? { lookup: guardedLookup } : {},
  });
  return async (url, init) => {
    const target = new URL(url);
    if (opts.requireHttps && target.protocol !== 'https:') throw new TargetRefusedError(`${target.protocol} is not allowed in production: https only`);
    if (opts.refusePrivateTargets) {
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) && isPrivateAddress(host)) throw new TargetRefusedError(`${host} is a private or reserved address`);
    }
    return (await undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as Response;
  };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new TargetRefusedError(`${hostname} resolves to ${bad.address}, a private or reserved address`), []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}
