import type { PlanContext } from '../../src/operations/context';
import { parseOperation } from '../../src/operations/operation';
import { plan } from '../../src/operations/plan';

const ctx: PlanContext = {
  origin: 'http://dav.test:8080',
  resolve: (href) => (href.startsWith('/') ? href : `/dav/${href}`).replace(/ /g, '%20'),
  lock: (token) => (token === '$l' ? { token: 'opaquelocktoken:1', root: '/dav/coll/' } : { token: token.replace(/^<|>$/g, '') }),
};
const planned = (json: Record<string, unknown>) => plan(parseOperation(json, 0), ctx);

describe('planners', () => {
  it('PUT carries its preconditions, type and body', () => {
    expect(planned({ method: 'PUT', href: '/dav/a b.txt', body: 'hi', contentType: 'text/plain', ifNoneMatch: '*' })).toEqual({
      method: 'PUT', path: '/dav/a%20b.txt', headers: { 'Content-Type': 'text/plain', 'If-None-Match': '*' }, body: 'hi',
    });
  });

  it('a lock taken in the batch goes in a tagged If list naming its root; an explicit one untagged', () => {
    expect(planned({ method: 'DELETE', href: '/dav/coll/a', lockToken: '$l' }).headers).toEqual({ If: '<http://dav.test:8080/dav/coll/> (<opaquelocktoken:1>)' });
    expect(planned({ method: 'PUT', href: '/dav/x', body: '', lockToken: '<opaquelocktoken:2>' }).headers['If']).toBe('(<opaquelocktoken:2>)');
  });

  it('COPY and MOVE: Destination resolved by davgate, Overwrite only when chosen, Depth only on COPY', () => {
    expect(planned({ method: 'COPY', href: '/dav/a/', destination: 'b/', overwrite: false, depth: 'infinity' })).toEqual({
      method: 'COPY', path: '/dav/a/', destination: '/dav/b/', headers: { Overwrite: 'F', Depth: 'infinity' },
    });
    expect(planned({ method: 'MOVE', href: '/dav/a', destination: '/dav/c' })).toEqual({ method: 'MOVE', path: '/dav/a', destination: '/dav/c', headers: {} });
  });

  it('PROPPATCH sends a propertyupdate with the sets then the removes', () => {
    const request = planned({ method: 'PROPPATCH', href: '/dav/a', set: { '{urn:x}author': 'Ann & Bob' }, remove: ['{urn:x}old'] });
    expect(request.headers['Content-Type']).toBe('application/xml; charset=utf-8');
    expect(request.body).toBe('<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:ns1="urn:x"><D:set><D:prop><ns1:author>Ann &amp; Bob</ns1:author></D:prop></D:set><D:remove><D:prop><ns1:old/></D:prop></D:remove></D:propertyupdate>');
  });

  it('PROPPATCH with nothing to do is refused', () => {
    expect(() => planned({ method: 'PROPPATCH', href: '/dav/a' })).toThrow(expect.objectContaining({ code: 'OPERATION_INVALID' }));
  });

  it('MKCOL is plain without properties and extended (RFC 5689) with them; MKCALENDAR carries its properties', () => {
    expect(planned({ method: 'MKCOL', href: '/dav/n/' })).toEqual({ method: 'MKCOL', path: '/dav/n/', headers: {} });
    expect(planned({ method: 'MKCOL', href: '/dav/n/', set: { '{DAV:}displayname': 'New' } }).body).toMatch(/^<\?xml[^>]*\?><D:mkcol xmlns:D="DAV:"><D:set><D:prop><D:displayname>New<\/D:displayname>/);
    expect(planned({ method: 'MKCALENDAR', href: '/cal/w/', set: { '{DAV:}displayname': 'Work' } }).body).toMatch(/<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set>/);
  });

  it('LOCK takes a new lock with lockinfo, or refreshes one with If and no body', () => {
    expect(planned({ method: 'LOCK', href: '/dav/a', timeoutSeconds: 600, owner: 'ann' })).toEqual({
      method: 'LOCK', path: '/dav/a', headers: { Timeout: 'Second-600', Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
      body: '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>ann</D:owner></D:lockinfo>',
    });
    expect(planned({ method: 'LOCK', href: '/dav/a', lockToken: 'opaquelocktoken:9', timeoutSeconds: 60 })).toEqual({
      method: 'LOCK', path: '/dav/a', headers: { Timeout: 'Second-60', If: '(<opaquelocktoken:9>)' },
    });
  });

  it('UNLOCK sends the token in Lock-Token with angle brackets', () => {
    expect(planned({ method: 'UNLOCK', href: '/dav/a', lockToken: '$l' }).headers).toEqual({ 'Lock-Token': '<opaquelocktoken:1>' });
  });
});
