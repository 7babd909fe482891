import { createServer } from 'node:net';

/**
 * Every port one server binds, derived from its frontend port so that servers started on ports
 * at least PORTS_PER_SERVER apart never collide (17233 and 17243, say).
 */
export const PORTS_PER_SERVER = 9;

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
}

export function serverPorts(port: number): ServerPorts {
  return {
    frontend: port,
    frontendHttp: port + 1,
    history: port + 2,
    matching: port + 3,
    worker: port + 4,
    frontendMembership: port + 5,
    historyMembership: port + 6,
    matchingMembership: port + 7,
    workerMembership: port + 8,
  };
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Fails early and clearly, instead of in the server's log, when a port is taken. */
export async function assertPortsFree(ports: number[], host: string): Promise<void> {
  const taken: number[] = [];
  for (const port of ports) if (!(await isFree(port, host))) taken.push(port);
  if (taken.length > 0) {
    throw new Error(`port(s) ${taken.join(', ')} on ${host} already in use (another Temporal server on these ports?)`);
  }
}

/**
 * A frontend port whose whole block of PORTS_PER_SERVER ports is free now (for tests and proofs).
 * Below 32,768: the server stores its membership ports in a smallint column (a block above it fails
 * at start with "out of range for type smallint"), and Linux hands out ephemeral ports from there.
 */
export async function freeServerPort(host = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 1_270) * 10;
    const ports = Object.values(serverPorts(port));
    if ((await Promise.all(ports.map((p) => isFree(p, host)))).every(Boolean)) return port;
  }
  throw new Error('no free block of ports for a Temporal server');
}
