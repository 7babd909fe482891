import { createHash } from 'node:crypto';

/**
 * One client per distinct server and credentials, shared by every send of this worker, closed after
 * it has been idle a while, and replaced when it breaks. Opening is shared too: concurrent sends to
 * a new server wait for one connection rather than opening one each.
 */
export interface ClientPool<C> {
  use<T>(key: PoolKey, work: (client: C) => Promise<T>): Promise<T>;
  /** Drops a client that turned out broken; the next `use` opens a fresh one. */
  discard(key: PoolKey, client: C): void;
  size(): number;
  closeAll(): Promise<void>;
}

export interface PoolKey {
  serverUrl: string;
  credentials: Record<string, string | undefined>;
}

interface Entry<C> {
  client: Promise<C>;
  inUse: number;
  idleTimer?: NodeJS.Timeout;
}

export interface PoolOptions<C> {
  open(key: PoolKey): Promise<C>;
  close(client: C): Promise<void>;
  /** Whether a pooled client can still be used (e.g. its connection has not closed). */
  healthy(client: C): boolean;
  idleMs?: number;
}

/** Credentials are hashed into the key so no secret sits in a map key or a heap dump's strings twice. */
function keyOf(key: PoolKey): string {
  const creds = createHash('sha256').update(JSON.stringify(Object.entries(key.credentials).sort())).digest('base64url');
  return `${key.serverUrl}#${creds}`;
}

export function createClientPool<C>(opts: PoolOptions<C>): ClientPool<C> {
  const entries = new Map<string, Entry<C>>();
  const idleMs = opts.idleMs ?? 60_000;

  function drop(k: string, entry: Entry<C>): void {
    if (entries.get(k) !== entry) return;
    entries.delete(k);
    clearTimeout(entry.idleTimer);
    entry.client.then((c) => opts.close(c)).catch(() => undefined);
  }

  async function acquire(k: string, key: PoolKey): Promise<[Entry<C>, C]> {
    let entry = entries.get(k);
    if (entry) {
      const client = await entry.client.catch(() => null);
      if (client !== null && opts.healthy(client)) return [entry, client];
      drop(k, entry);
    }
    const fresh: Entry<C> = { client: opts.open(key), inUse: 0 };
    entries.set(k, fresh);
    entry = fresh;
    try {
      return [entry, await entry.client];
    } catch (err) {
      // A failed open is not kept: the next send tries again.
      if (entries.get(k) === entry) entries.delete(k);
      throw err;
    }
  }

  return {
    async use(key, work) {
      const k = keyOf(key);
      const [entry, client] = await acquire(k, key);
      entry.inUse += 1;
      clearTimeout(entry.idleTimer);
      try {
        return await work(client);
      } finally {
        entry.inUse -= 1;
        if (entry.inUse === 0 && entries.get(k) === entry) {
          entry.idleTimer = setTimeout(() => drop(k, entry), idleMs);
          entry.idleTimer.unref();
        }
      }
    },
    discard(key, client) {
      const k = keyOf(key);
      const entry = entries.get(k);
      if (!entry) return;
      void entry.client.then((c) => {
        if (c === client) drop(k, entry);
      }, () => undefined);
    },
    size: () => entries.size,
    async closeAll() {
      const all = [...entries.entries()];
      entries.clear();
      await Promise.all(all.map(async ([, e]) => {
        clearTimeout(e.idleTimer);
        await e.client.then((c) => opts.close(c)).catch(() => undefined);
      }));
    },
  };
}
