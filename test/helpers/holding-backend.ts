import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A backend that holds requests until told to answer. */
export interface HoldingBackend {
  /** Its base URL, ending in /dav/. */
  readonly url: string;
  /** Requests that reached it and wait for an answer. */
  held(): number;
  /** Answers 201 to every held request and to all later ones. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A small local server that holds every request until `release()`: no real server stalls on
 * demand, so the tests of load shedding and shutdown use this stub (said so, per the test rules).
 */
export function holdingBackend(): Promise<HoldingBackend> {
  const waiting: ServerResponse[] = [];
  let holding = true;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => (holding ? waiting.push(res) : res.writeHead(201).end()));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dav/`,
    held: () => waiting.length,
    release() {
      holding = false;
      for (const res of waiting.splice(0)) res.writeHead(201).end();
    },
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  })));
}

/** Waits (polling every 10 ms, about 3 s in all) until `check` holds; `check` may be async (a request, say). */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!(await check())) throw new Error(`timed out waiting for ${what}`);
}
