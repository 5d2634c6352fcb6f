/**
 * Construction, configuration checks and lifecycle of UpstreamClient; requests go to a local
 * node:http stub (these tests count what arrives).
 */
import { Agent } from 'undici';
import { DEFAULT_LIMITS, type BackendConfig } from '../../src/upstream/backend';
import { UpstreamClient } from '../../src/upstream/client';
import { httpStub, rejection, type Stub } from './stub';

const config = (patch: Partial<BackendConfig> = {}): BackendConfig => ({
  name: 'main',
  url: 'http://127.0.0.1:8080/dav',
  auth: { mode: 'passthrough' },
  limits: DEFAULT_LIMITS,
  ...patch,
});

const configError = (patch: Partial<BackendConfig>): string | undefined => {
  try {
    new UpstreamClient(config(patch));
    return undefined;
  } catch (error) {
    return (error as Error & { code?: string }).code;
  }
};

describe('UpstreamClient construction', () => {
  it('exposes the origin and the normalised root', async () => {
    const client = new UpstreamClient(config());
    expect([client.origin, client.root, client.name]).toEqual(['http://127.0.0.1:8080', '/dav/', 'main']);
    expect(client.resolveHref('x y')).toBe('/dav/x%20y');
    await client.close();
  });

  it('has the documented defaults, frozen', () => {
    expect(DEFAULT_LIMITS).toEqual({
      connectTimeoutMs: 5_000,
      headersTimeoutMs: 30_000,
      bodyTimeoutMs: 30_000,
      requestTimeoutMs: 60_000,
      maxResponseBytes: 64 * 1024 * 1024,
      connections: 16,
      retries: 2,
      maxQueued: 256,
      failurePercent: 50,
      failureVolume: 10,
      failureWindowMs: 10_000,
      recoveryMs: 5_000,
    });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });

  it.each<[string, Partial<BackendConfig>]>([
    ['an empty name', { name: '' }],
    ['a name with a space', { name: 'a b' }],
    ['a URL with credentials', { url: 'http://u:p@127.0.0.1/dav/' }],
    ['a URL with a query', { url: 'http://127.0.0.1/dav/?a=1' }],
    ['a non-HTTP URL', { url: 'file:///etc/' }],
    ['zero connections', { limits: { ...DEFAULT_LIMITS, connections: 0 } }],
    ['a fractional timeout', { limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 1.5 } }],
    ['negative retries', { limits: { ...DEFAULT_LIMITS, retries: -1 } }],
    ['a missing limit', { limits: { ...DEFAULT_LIMITS, maxResponseBytes: undefined as unknown as number } }],
  ])('refuses %s with CONFIG_INVALID', (_name, patch) => {
    expect(configError(patch)).toBe('CONFIG_INVALID');
  });

  it('accepts zero retries', () => {
    expect(configError({ limits: { ...DEFAULT_LIMITS, retries: 0 } })).toBeUndefined();
  });
});

describe('UpstreamClient lifecycle', () => {
  let stub: Stub;
  beforeEach(async () => {
    stub = await httpStub((_req, res) => res.end('ok'));
  });
  afterEach(() => stub.close());

  it('refuses to send once closed', async () => {
    const client = new UpstreamClient(config({ url: stub.url }));
    await client.close();
    await client.close();
    expect((await rejection(client.send({ method: 'GET', path: '/dav/a', headers: {} }))).code).toBe('UPSTREAM_UNAVAILABLE');
    expect(stub.requests).toHaveLength(0);
  });

  it('dispatch answers through its callback once, and never before it has returned', async () => {
    const client = new UpstreamClient(config({ url: stub.url }));
    const heard = (request: Parameters<UpstreamClient['dispatch']>[0], options = {}) => new Promise<{ calls: number; early: boolean; error: unknown; body: string | undefined }>((resolve) => {
      let returned = false;
      let calls = 0;
      let early = false;
      client.dispatch(request, options, (error, response) => {
        calls++;
        early ||= !returned;
        // Any second call would show in `calls` by the time the test reads it.
        setImmediate(() => resolve({ calls, early, error, body: response?.body.toString() }));
      });
      returned = true;
    });
    expect(await heard({ method: 'GET', path: '/dav/a', headers: {} })).toEqual({ calls: 1, early: false, error: undefined, body: 'ok' });
    // Refused before anything is sent, or ended at once by a signal already aborted: still after dispatch returned.
    const outside = await heard({ method: 'GET', path: '/elsewhere', headers: {} });
    expect([outside.calls, outside.early, (outside.error as { code?: string }).code]).toEqual([1, false, 'HREF_OUTSIDE_ROOT']);
    const aborted = await heard({ method: 'GET', path: '/dav/a', headers: {} }, { signal: AbortSignal.abort(new Error('stop')) });
    expect([aborted.calls, aborted.early, (aborted.error as Error).message]).toEqual([1, false, 'stop']);
    await client.close();
    const closed = await heard({ method: 'GET', path: '/dav/a', headers: {} });
    expect([closed.calls, closed.early, (closed.error as { code?: string }).code]).toEqual([1, false, 'UPSTREAM_UNAVAILABLE']);
    expect(stub.requests).toHaveLength(1);
    expect(client.stats().active).toBe(0);
  });

  it('dispatch throws a throwing callback\'s error again from a microtask, with the request already accounted for', async () => {
    const client = new UpstreamClient(config({ url: stub.url }));
    const caught: unknown[] = [];
    const thrown = new Error('a bug in the caller');
    const queue = globalThis.queueMicrotask.bind(globalThis);
    await new Promise<void>((resolve) => {
      client.dispatch({ method: 'GET', path: '/dav/a', headers: {} }, {}, () => {
        // Microtasks queued from here on still run, their throws collected instead of crashing the test.
        const spy = jest.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => queue(() => {
          try {
            task();
          } catch (error) {
            caught.push(error);
          }
        }));
        setImmediate(() => {
          spy.mockRestore();
          resolve();
        });
        throw thrown;
      });
    });
    expect(caught).toEqual([thrown]);
    expect(client.stats().active).toBe(0);
    // The client goes on as before.
    expect((await client.send({ method: 'GET', path: '/dav/b', headers: {} })).status).toBe(200);
    await client.close();
  });

  it('uses an injected dispatcher and leaves closing it to its owner', async () => {
    const agent = new Agent();
    const client = new UpstreamClient(config({ url: stub.url }), agent);
    expect((await client.send({ method: 'GET', path: '/dav/a', headers: {} })).body.toString()).toBe('ok');
    await client.close();
    expect(agent.closed).toBe(false);
    await agent.close();
  });

  it('accepts a Uint8Array body view without copying its neighbours', async () => {
    const client = new UpstreamClient(config({ url: stub.url }));
    const backing = Buffer.from('xxBODYxx');
    await client.send({ method: 'PUT', path: '/dav/a', headers: {}, body: new Uint8Array(backing.buffer, backing.byteOffset + 2, 4) });
    expect(stub.requests[0]?.body.toString()).toBe('BODY');
    await client.close();
  });
});
