/**
 * What goes on the wire: a local node:http stub records each request exactly as it arrived
 * (a real server would not show the header names it was sent).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { DavgateError } from '../../src/model/errors';
import type { UpstreamClient } from '../../src/upstream/client';
import { checkHeaderValue, flattenHeaders } from '../../src/upstream/headers';
import { clientFor, httpStub, rejection, type Stub } from './stub';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

let stub: Stub;
let client: UpstreamClient;

beforeEach(async () => {
  stub = await httpStub((_req, res) => {
    res.writeHead(207, { 'Content-Type': 'application/xml', 'X-Twice': ['a', 'b'], DAV: '1, 2' });
    res.end('<multistatus xmlns="DAV:"/>');
  });
  client = clientFor(stub.url);
});

afterEach(async () => {
  await client.close();
  await stub.close();
});

const ALLOWED = {
  Depth: '1',
  Overwrite: 'F',
  If: '(<urn:uuid:1>)',
  'Lock-Token': '<urn:uuid:1>',
  Timeout: 'Second-60',
  'Content-Type': 'application/xml; charset=utf-8',
  'If-Match': '"e1"',
  'If-None-Match': '*',
  Brief: 't',
  Prefer: 'return=minimal',
};

describe('the header allow-list', () => {
  it('forwards the planner headers on the list and drops every other', async () => {
    await client.send(
      {
        method: 'PROPPATCH',
        path: '/dav/a',
        headers: {
          ...ALLOWED,
          Authorization: 'Basic c2VjcmV0',
          'Proxy-Authorization': 'Basic c2VjcmV0',
          Destination: 'http://evil.example/x',
          Host: 'evil.example',
          Cookie: 'session=1',
          'Accept-Encoding': 'gzip',
          Connection: 'close, X-Hop',
          'X-Hop': '1',
          'Transfer-Encoding': 'chunked',
          'Content-Length': '999',
          'X-Forwarded-For': '10.0.0.1',
          TE: 'trailers',
          Upgrade: 'h2c',
        },
        body: '<propertyupdate xmlns="DAV:"/>',
      },
      { requestId: 'req-42' },
    );
    const seen = stub.requests[0];
    const names = new Set(seen?.headerNames.map((n) => n.toLowerCase()));
    expect([...names].sort()).toEqual(
      [...Object.keys(ALLOWED).map((n) => n.toLowerCase()), 'user-agent', 'x-request-id', 'host', 'connection', 'content-length'].sort(),
    );
    expect(seen?.headers).toMatchObject({
      depth: '1',
      if: '(<urn:uuid:1>)',
      'user-agent': `davgate/${VERSION}`,
      'x-request-id': 'req-42',
      host: new URL(stub.origin).host,
      'content-length': String(Buffer.byteLength('<propertyupdate xmlns="DAV:"/>')),
      connection: 'keep-alive',
    });
    expect(seen?.headers['accept-encoding']).toBeUndefined();
    expect(seen?.headers.authorization).toBeUndefined();
  });

  it('matches header names without regard to case', async () => {
    await client.send({ method: 'PROPFIND', path: '/dav/', headers: { depth: '0', 'CONTENT-TYPE': 'text/xml' } });
    expect(stub.requests[0]?.headers).toMatchObject({ depth: '0', 'content-type': 'text/xml' });
  });

  it('builds Destination from request.destination on the backend origin, never from a header', async () => {
    await client.send({ method: 'MOVE', path: '/dav/a b', destination: 'new/b c', headers: { Destination: 'http://evil.example/' } });
    expect(stub.requests[0]?.headers.destination).toBe(`${stub.origin}/dav/new/b%20c`);
    expect(stub.requests[0]?.url).toBe('/dav/a%20b');
  });

  it('sends no Destination when the request has none', async () => {
    await client.send({ method: 'COPY', path: '/dav/a', headers: { Destination: `${stub.origin}/dav/b` } });
    expect(stub.requests[0]?.headers.destination).toBeUndefined();
  });

  it.each([
    ['/dav/../etc', 'HREF_OUTSIDE_ROOT'],
    ['http://evil.example/dav/x', 'HREF_OUTSIDE_ROOT'],
    ['/dav/x\r\nX-Injected: 1', 'HEADER_INJECTION'],
  ])('refuses the destination %j before anything is sent', async (destination, code) => {
    const error = await rejection(client.send({ method: 'MOVE', path: '/dav/a', destination, headers: {} }));
    expect(error.code).toBe(code);
    expect(stub.requests).toHaveLength(0);
  });

  it('re-checks the path: a path outside the root is refused before anything is sent', async () => {
    for (const path of ['/etc/passwd', '/dav/%2e%2e/x', '//evil.example/dav/', 'http://evil.example/dav/']) {
      expect((await rejection(client.send({ method: 'GET', path, headers: {} }))).code).toBe('HREF_OUTSIDE_ROOT');
    }
    expect(stub.requests).toHaveLength(0);
  });

  it('returns response headers with lower-case names and repeated fields joined', async () => {
    const response = await client.send({ method: 'PROPFIND', path: '/dav/', headers: { Depth: '0' } });
    expect(response.status).toBe(207);
    expect(response.headers['content-type']).toBe('application/xml');
    expect(response.headers['x-twice']).toBe('a, b');
    expect(response.headers['dav']).toBe('1, 2');
    expect(response.body.toString()).toBe('<multistatus xmlns="DAV:"/>');
  });
});

describe('header injection', () => {
  it.each([
    ['Depth', '1\r\nX-Injected: 1'],
    ['If', '(<urn:uuid:1>)\nX: y'],
    ['Lock-Token', '<urn:uuid:1>\r'],
    ['Timeout', 'Second-1\u0000'],
    ['Content-Type', 'text/xml\u0007'],
    ['If-Match', '"\u0100"'],
  ])('refuses %s with a control or non-Latin-1 character, naming the header and not the value', async (name, value) => {
    const error = await rejection(client.send({ method: 'PUT', path: '/dav/a', headers: { [name]: value } }));
    expect(error.code).toBe('HEADER_INJECTION');
    expect(error.message).toContain(name);
    expect(error.message).not.toContain(value.slice(0, 4));
    expect(stub.requests).toHaveLength(0);
  });

  it('refuses a request id or a pass-through Authorization with CR or LF', async () => {
    const send = (options: { requestId?: string; authorization?: string }) => client.send({ method: 'GET', path: '/dav/a', headers: {} }, options);
    expect((await rejection(send({ requestId: 'x\r\nInjected: 1' }))).code).toBe('HEADER_INJECTION');
    const error = await rejection(send({ authorization: 'Basic c2VjcmV0\r\nX: 1' }));
    expect(error.code).toBe('HEADER_INJECTION');
    expect(error.message).not.toContain('c2VjcmV0');
    expect(stub.requests).toHaveLength(0);
  });

  it('refuses an invalid method as OPERATION_INVALID', async () => {
    expect((await rejection(client.send({ method: 'GET /x HTTP/1.1\r\n', path: '/dav/a', headers: {} }))).code).toBe('OPERATION_INVALID');
    expect((await rejection(client.send({ method: 'get', path: '/dav/a', headers: {} }))).code).toBe('OPERATION_INVALID');
  });
});

describe('header helpers', () => {
  it('checkHeaderValue accepts tabs and Latin-1 text', () => {
    expect(() => checkHeaderValue('X', 'a\tb é')).not.toThrow();
  });

  it('checkHeaderValue refuses exactly CR, LF, the other control characters but tab, and anything above Latin-1', () => {
    // The definition, one rule at a time; checkHeaderValue tries the allowed set in one test first.
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    const refused = (value: string) => /[\r\n]/.test(value) || /[\x00-\x08\x0a-\x1f\x7f]/.test(value) || /[\u0100-\uffff]/.test(value);
    const char = fc.oneof(fc.integer({ min: 0, max: 0x2ff }).map((c) => String.fromCharCode(c)), fc.constantFrom('\t', '\r', '\n', '\x7f', '\u00ff', '\u0100', '\ud83d', '😀'));
    fc.assert(fc.property(fc.array(char, { maxLength: 8 }).map((cs) => cs.join('')), (value) => {
      let threw: unknown;
      try {
        checkHeaderValue('X', value);
      } catch (error) {
        threw = error;
      }
      expect(threw === undefined ? 'accepted' : (threw as DavgateError).code).toBe(refused(value) ? 'HEADER_INJECTION' : 'accepted');
    }), { numRuns: 3000 });
  });

  it('flattenHeaders lower-cases names, joins repeated fields and skips undefined values, in order', () => {
    const flat = flattenHeaders({ ETag: '"a"', 'set-cookie': ['a=1', 'b=2'], gone: undefined, Location: '/dav/x' });
    expect(flat).toEqual({ etag: '"a"', 'set-cookie': 'a=1, b=2', location: '/dav/x' });
    expect(Object.keys(flat)).toEqual(['etag', 'set-cookie', 'location']);
  });

  it('flattenHeaders keeps headers already flat as they are, and copies any others', () => {
    const flat = { etag: '"a"', location: '/dav/x' };
    expect(flattenHeaders(flat)).toBe(flat);
    const upper = { ETag: '"b"' };
    expect(flattenHeaders(upper)).not.toBe(upper);
    expect(flattenHeaders(upper)).toEqual({ etag: '"b"' });
    const inherited = Object.create({ etag: '"c"' }) as Record<string, string>;
    inherited['location'] = '/dav/y';
    expect(flattenHeaders(inherited)).toEqual({ location: '/dav/y' });
  });

  it('flattenHeaders keeps a header named __proto__ as a header', () => {
    const flat = flattenHeaders(JSON.parse('{"__proto__":"x","a":["1","2"]}') as Record<string, string>);
    expect(Object.hasOwn(flat, '__proto__')).toBe(true);
    expect(flat['a']).toBe('1, 2');
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
  });
});
