import { DavgateError } from '../../src/model/errors';
import { parseOperation } from '../../src/operations/operation';

const refusal = (json: unknown, index = 0) => {
  try {
    parseOperation(json, index);
  } catch (error) {
    if (error instanceof DavgateError) return { code: error.code, message: error.message, path: error.position?.path };
    throw error;
  }
  throw new Error('accepted');
};

describe('parseOperation', () => {
  it('accepts the shapes of the issue and gives each an id', () => {
    const put = parseOperation({ id: 'op1', method: 'PUT', href: '/dav/notes/a.txt', body: 'hello', contentType: 'text/plain', ifMatch: '"etag"', ifNoneMatch: '*' }, 0);
    expect(put).toMatchObject({ id: 'op1', index: 0, method: 'PUT', body: 'hello' });
    expect(parseOperation({ method: 'DELETE', href: '/dav/old/' }, 3)).toMatchObject({ id: '3', index: 3 });
    const patch = parseOperation({ method: 'PROPPATCH', href: '/dav/a.txt', set: { '{urn:x}author': 'Ann', '{DAV:}resourcetype': [{ name: '{DAV:}collection' }] }, remove: ['{urn:x}old'] }, 0);
    expect(patch.method === 'PROPPATCH' && [...(patch.set?.entries() ?? [])]).toEqual([
      ['{urn:x}author', { value: 'Ann' }],
      ['{DAV:}resourcetype', { value: [{ name: '{DAV:}collection', value: null }] }],
    ]);
    expect(parseOperation({ method: 'LOCK', href: '/dav/a.txt', scope: 'exclusive', depth: '0', timeoutSeconds: 600, owner: 'ann' }, 0)).toMatchObject({ method: 'LOCK', timeoutSeconds: 600 });
    expect(parseOperation({ method: 'UNLOCK', href: '/dav/a.txt', lockToken: '$op1' }, 0)).toMatchObject({ lockToken: '$op1' });
  });

  it.each([
    ['an unknown field, named', { id: 'op1', method: 'DELETE', href: '/a', colour: 'red' }, /operation "op1" \(#0\), colour: /],
    ['a missing required field', { method: 'PUT', href: '/a' }, /operation #0, body: /],
    ['a field of the wrong type', { method: 'COPY', href: '/a', destination: '/b', overwrite: 'yes' }, /overwrite: /],
    ['a bad method', { method: 'PROPFIND', href: '/a' }, /method must be one of PUT, DELETE, MKCOL, MKCALENDAR, PROPPATCH, COPY, MOVE, LOCK, UNLOCK/],
    ['an href with CR/LF', { method: 'DELETE', href: '/a\r\nX-Evil: 1' }, /href: must not contain CR, LF or NUL/],
    ['a destination with LF', { method: 'MOVE', href: '/a', destination: '/b\n' }, /destination: must not contain CR, LF or NUL/],
    ['a lock token with CR', { method: 'UNLOCK', href: '/a', lockToken: 'opaquelocktoken:x\r' }, /lockToken: /],
    ['an empty href', { method: 'DELETE', href: '' }, /href: must not be empty/],
    ['a property name that is not a Clark name', { method: 'PROPPATCH', href: '/a', set: { 'd:x': 'v' } }, /set\["d:x"\]/],
    ['a field of another method', { method: 'DELETE', href: '/a', destination: '/b' }, /destination/],
    ['not an object', 'DELETE /a', /must be an object/],
  ])('refuses %s, naming the operation and the field', (_what, json, message) => {
    const got = refusal(json);
    expect(got.code).toBe('OPERATION_INVALID');
    expect(got.message).toMatch(message);
    expect(got.path).toMatch(/^operations\[0\]/);
  });

  it('leaves the caller\'s JSON as it was, and makes a new operation for each parse', () => {
    const json = { method: 'PROPPATCH', href: '/dav/a', set: { '{urn:x}author': 'Ann' } };
    const first = parseOperation(json, 4);
    const second = parseOperation(json, 5);
    expect(json).toEqual({ method: 'PROPPATCH', href: '/dav/a', set: { '{urn:x}author': 'Ann' } });
    expect(first).not.toBe(second);
    expect([first.id, first.index, second.id, second.index]).toEqual(['4', 4, '5', 5]);
    expect(first.method === 'PROPPATCH' && first.set).toEqual(new Map([['{urn:x}author', { value: 'Ann' }]]));
  });
});
