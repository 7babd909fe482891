import { randomBytes } from 'node:crypto';

/** Sortable, unguessable ids: `<prefix>_<time base36><random>`. */
export function newId(prefix: 'ep' | 'dlv' | 'evt' | 'msg'): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}_${time}${randomBytes(10).toString('hex')}`;
}
