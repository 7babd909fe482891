import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import { createMiddleware } from 'hono/factory';
import { rateLimited } from '../domain/errors';

const WINDOW_MS = 60_000;
/** Sources remembered at most; past it, expired windows are dropped (and, under a flood of sources, the oldest). */
const MAX_SOURCES = 100_000;

/** The peer's address; an IPv6 peer by its /64 (one host holds a whole /64 to rotate through). */
export function sourceOf(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${(ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}

/**
 * Guessing API keys, portal tokens or the admin token costs something: a source (the connection's
 * peer address) that fails authentication `perMinute` times within a minute gets 429 with
 * Retry-After, for any request carrying credentials, until its minute ends. Successes do not count,
 * so a client with a valid credential never meets it. Kept in this process's memory.
 */
export function authFailureLimit(perMinute: number, now: () => number = Date.now) {
  const windows = new Map<string, { resetAt: number; failures: number }>();
  const prune = (at: number) => {
    for (const [key, w] of windows) if (w.resetAt <= at) windows.delete(key);
    for (const key of windows.keys()) {
      if (windows.size < MAX_SOURCES) break;
      windows.delete(key);
    }
  };
  return createMiddleware(async (c, next) => {
    if (perMinute === 0 || c.req.header('authorization') === undefined) return next();
    const source = sourceOf((c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress);
    const at = now();
    const open = windows.get(source);
    if (open && open.resetAt > at && open.failures >= perMinute) {
      const seconds = Math.max(1, Math.ceil((open.resetAt - at) / 1000));
      throw rateLimited(`too many failed authentications from this address; retry in ${seconds} s`, seconds);
    }
    await next();
    if (c.res.status !== 401) return;
    const w = open && open.resetAt > at ? open : { resetAt: at + WINDOW_MS, failures: 0 };
    w.failures += 1;
    if (!windows.has(source) && windows.size >= MAX_SOURCES) prune(at);
    windows.set(source, w);
  });
}
