/**
 * Transport faults become DavgateErrors with stable codes. Each needs a local stub on
 * 127.0.0.1 (node:http or node:net): a refused port, a reset in the middle of a body, a
 * malformed status line, a redirect to elsewhere. No real server produces these on demand.
 */
import type { UpstreamClient } from '../../src/upstream/client';
import { clientFor, freePort, httpStub, netStub, rejection, type Stub } from './stub';

const stubs: Stub[] = [];
const clients: UpstreamClient[] = [];
const track = <T extends Stub | UpstreamClient>(x: T, into: T[]): T => {
  into.push(x);
  return x;
};

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

describe('transport failures', () => {
  it('a refused connection is UPSTREAM_REFUSED, after the retries a safe method allows', async () => {
    const client = track(clientFor(`http://127.0.0.1:${await freePort()}/dav/`), clients);
    const started = Date.now();
    const error = await rejection(client.send({ method: 'PROPFIND', path: '/dav/', headers: {} }));
    expect(error.code).toBe('UPSTREAM_REFUSED');
    expect(error.message).toMatch(/^the backend refused the connection: PROPFIND \/dav\/ on backend 'stub': ECONNREFUSED$/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a refused MOVE is UPSTREAM_REFUSED, not outcome unknown: it never left', async () => {
    const client = track(clientFor(`http://127.0.0.1:${await freePort()}/dav/`), clients);
    expect((await rejection(client.send({ method: 'MOVE', path: '/dav/a', destination: '/dav/b', headers: {} }))).code).toBe('UPSTREAM_REFUSED');
  });

  it('a reset in the middle of a body is UPSTREAM_RESET for a read, and is not retried', async () => {
    const stub = track(
      await httpStub((req, res) => {
        res.writeHead(207, { 'Content-Length': '1000' });
        res.write('x'.repeat(100), () => setTimeout(() => req.socket.resetAndDestroy(), 10));
      }),
      stubs,
    );
    const error = await rejection(track(clientFor(stub.url), clients).send({ method: 'PROPFIND', path: '/dav/', headers: {} }));
    expect(error.code).toBe('UPSTREAM_RESET');
    expect(error.message).toContain('after the backend answered 207');
    expect(stub.requests).toHaveLength(1);
  });

  it('a connection closed before Content-Length bytes arrived is UPSTREAM_RESET', async () => {
    const stub = track(
      await netStub((socket) =>
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a little');
          socket.end();
        }),
      ),
      stubs,
    );
    expect((await rejection(track(clientFor(stub.url, undefined, { retries: 0 }), clients).send({ method: 'GET', path: '/dav/a', headers: {} }))).code).toBe('UPSTREAM_RESET');
  });

  it('a malformed status line is UPSTREAM_MALFORMED', async () => {
    const stub = track(await netStub((socket) => socket.once('data', () => socket.end('HTTP/1.1 two hundred\r\n\r\n'))), stubs);
    expect((await rejection(track(clientFor(stub.url), clients).send({ method: 'GET', path: '/dav/a', headers: {} }))).code).toBe('UPSTREAM_MALFORMED');
  });

  it('an unsolicited 100 Continue, which undici refuses, is UPSTREAM_MALFORMED', async () => {
    const stub = track(await netStub((socket) => socket.once('data', () => socket.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'))), stubs);
    expect((await rejection(track(clientFor(stub.url, undefined, { retries: 0 }), clients).send({ method: 'GET', path: '/dav/a', headers: {} }))).code).toBe('UPSTREAM_MALFORMED');
  });

  it('an interim 102 Processing is skipped and the final answer read', async () => {
    const stub = track(
      await netStub((socket) => socket.once('data', () => socket.end('HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 207 Multi-Status\r\nContent-Length: 2\r\n\r\nok'))),
      stubs,
    );
    const response = await track(clientFor(stub.url), clients).send({ method: 'PROPFIND', path: '/dav/', headers: {} });
    expect([response.status, response.body.toString()]).toEqual([207, 'ok']);
  });
});

describe('redirects are not followed', () => {
  it('returns a 3xx as it is, whether it points elsewhere or to the same origin', async () => {
    const elsewhere = track(await httpStub((_req, res) => res.end('followed!')), stubs);
    const locations = [`${elsewhere.url}secret`, '/dav/other'];
    const stub = track(
      await httpStub((_req, res, _seen, index) => {
        res.writeHead(index === 0 ? 301 : 307, { Location: locations[index] ?? '/' });
        res.end();
      }),
      stubs,
    );
    const client = track(clientFor(stub.url, { mode: 'basic', username: 'u', password: 'p' }), clients);
    const first = await client.send({ method: 'PROPFIND', path: '/dav/a', headers: {} });
    const second = await client.send({ method: 'PUT', path: '/dav/a', headers: {}, body: 'x' });
    expect([first.status, first.headers.location, second.status, second.headers.location]).toEqual([301, locations[0], 307, '/dav/other']);
    expect(stub.requests.map((r) => r.url)).toEqual(['/dav/a', '/dav/a']);
    expect(elsewhere.requests).toHaveLength(0);
  });
});
