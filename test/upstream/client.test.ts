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
