/** A listener that could not bind: the message names the address, the caller names the setting. */
export class ListenError extends Error {
  constructor(
    readonly address: string,
    readonly code: string,
  ) {
    super(`${address} ${LISTEN_PROBLEMS[code] ?? `cannot be listened on (${code})`}`);
  }
}

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'is already in use by another process',
  EACCES: 'needs privileges this process does not have',
  EADDRNOTAVAIL: 'is not an address of this machine',
  ENOTFOUND: 'names a host that does not resolve',
};
