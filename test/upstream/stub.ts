/**
 * Small stub servers on 127.0.0.1 (port 0) for the upstream tests. They exist for faults no
 * real server produces on demand: a reset mid-body, a body trickling forever, a 503 with
 * Retry-After, a connection that dies after the request arrived, an endless body. Tests that a
 * real server can answer use test/servers instead.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { DavgateError } from '../../src/model/errors';
import { DEFAULT_LIMITS, type BackendAuth, type BackendLimits } from '../../src/upstream/backend';
import { UpstreamClient } from '../../src/upstream/client';
import type { Attempt } from '../../src/upstream/exchange';

/** A request as the stub received it, body complete. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Header names as sent, in order. */
  readonly headerNames: string[];
  readonly body: Buffer;
}

export interface Stub {
  readonly url: string;
  readonly origin: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

export type StubHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest, index: number) => void;

/** An HTTP stub: `handler` runs once the whole request body is in. */
export async function httpStub(handler: StubHandler): Promise<Stub> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        headerNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
        body: Buffer.concat(chunks),
      };
      requests.push(seen);
      handler(req, res, seen, requests.length - 1);
    });
  });
  server.keepAliveTimeout = 500;
  return listen(server, requests);
}

/** A raw TCP stub, for answers HTTP servers refuse to write (malformed status lines). */
export async function netStub(onConnection: (socket: Socket) => void): Promise<Stub> {
  return listen(createNetServer(onConnection), []);
}

async function listen(server: Server, requests: SeenRequest[]): Promise<Stub> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/dav/`,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Short limits, so every fault ends well inside a test's time. */
export const FAST_LIMITS: BackendLimits = {
  ...DEFAULT_LIMITS,
  connectTimeoutMs: 500,
  headersTimeoutMs: 1_000,
  bodyTimeoutMs: 1_000,
  requestTimeoutMs: 1_500,
};

/** A client for a stub, closed by `closeAll`. */
export function clientFor(url: string, auth: BackendAuth = { mode: 'passthrough' }, limits: Partial<BackendLimits> = {}): UpstreamClient {
  return new UpstreamClient({ name: 'stub', url, auth, limits: { ...FAST_LIMITS, ...limits } });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** The DavgateError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function errorOf(promise: Promise<unknown>): Promise<DavgateError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(DavgateError);
  return error as DavgateError;
}

/** One exchange's attempt for a PUT of /dav/a on a dispatcher stand-in, with a minute to go; `over` changes any field. */
export function testAttempt(over: Partial<Attempt> = {}): Attempt {
  return {
    origin: 'http://127.0.0.1:9', path: '/dav/a', method: 'PUT', headers: {}, body: undefined,
    headersTimeoutMs: 1000, bodyTimeoutMs: 1000, maxResponseBytes: 1024, deadline: Date.now() + 60_000, signal: undefined, ...over,
  };
}
