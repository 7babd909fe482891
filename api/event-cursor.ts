import type { PagePosition } from '../db/queries/deliveries';

/**
 * Page cursors of the event log, in the scheme of api/cursor.ts (base64url of the last row's
 * creation time, UTC to the microsecond, and its id) with an `ev|` mark, so a delivery cursor is
 * refused here and an event cursor there. Event ids are the publisher's (TENANT_ID_PATTERN).
 */
const FORMAT = /^ev\|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{3})\d{3}Z\|([A-Za-z0-9_.:-]{1,128})$/;

export function encodeEventCursor(position: PagePosition): string {
  return Buffer.from(`ev|${position.createdAt}|${position.id}`).toString('base64url');
}

export function decodeEventCursor(cursor: string): PagePosition | null {
  if (!/^[A-Za-z0-9_-]{1,300}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text).toString('base64url') !== cursor) return null;
  const match = FORMAT.exec(text);
  if (!match) return null;
  const millis = `${match[1]}.${match[2]}Z`;
  const parsed = new Date(millis);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString() !== millis || parsed.getUTCFullYear() < 1970) return null;
  const [, createdAt] = text.split('|');
  return { createdAt: createdAt!, id: match[3]! };
}
