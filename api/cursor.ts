import type { PagePosition } from '../db/queries/deliveries';

/**
 * Opaque page cursors: base64url of the last row's creation time (UTC, microseconds) and id, which
 * say nothing outside the tenant. Decoding is strict: only what `encodeCursor` makes comes back.
 */
const FORMAT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{3})\d{3}Z\|(dlv_[0-9a-z]{1,64})$/;

export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text).toString('base64url') !== cursor) return null; // one spelling per position
  const match = FORMAT.exec(text);
  if (!match) return null;
  // A calendar time Postgres takes (no month 13, no year 0): JavaScript must read it back unchanged.
  const millis = `${match[1]}.${match[2]}Z`;
  const parsed = new Date(millis);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString() !== millis || parsed.getUTCFullYear() < 1970) return null;
  return { createdAt: text.slice(0, text.indexOf('|')), id: match[3]! };
}
