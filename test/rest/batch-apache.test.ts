import { basicAuth, basicCredentials, testServers } from '../servers';
import { kinds, testGateway, unique, type TestGateway } from './gateway';

/** The REST face against a real Apache httpd with mod_dav (Basic auth), started by global setup. */
describe('POST /v1/batch against Apache mod_dav', () => {
  const apache = testServers().apache;
  let gw: TestGateway;
  let base: string;

  beforeAll(() => {
    gw = testGateway(apache.url, basicCredentials(apache));
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    base = `${new URL(apache.url).pathname}${unique('t')}/`;
  });

  it('creates a tree and files, one result per operation, kinds exact', async () => {
    const answer = await gw.batch([
      { id: 'root', method: 'MKCOL', href: base },
      { id: 'sub', method: 'MKCOL', href: `${base}sub/` },
      { id: 'a', method: 'PUT', href: `${base}sub/a.txt`, body: 'hello', contentType: 'text/plain' },
      { id: 'b', method: 'PUT', href: `${base}b b.txt`, body: 'two words' },
    ]);
    expect(answer.status).toBe(207);
    expect(kinds(answer)).toEqual([
      `root ${base} Created 201`,
      `sub ${base}sub/ Created 201`,
      `a ${base}sub/a.txt Created 201`,
      `b ${base}b%20b.txt Created 201`,
    ]);
    // mod_dav_fs sends no ETag with a 201, and davgate invents none (QUIRKS.md 17).
    expect(answer.responses.map((r) => r.etag)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('PROPPATCH with a protected property fails as a whole, with every propstat kept', async () => {
    await gw.batch([{ method: 'MKCOL', href: base }, { method: 'PUT', href: `${base}a.txt`, body: 'x' }]);
    const answer = await gw.batch([{ id: 'p', method: 'PROPPATCH', href: `${base}a.txt`, set: { '{urn:x}author': 'Ann', '{DAV:}getetag': '"forged"' } }]);
    expect(kinds(answer)).toEqual([`p ${base}a.txt Error 409`]);
    const propstats = answer.responses[0]?.['propstats'] as { status: number; props: Record<string, unknown> }[];
    expect(propstats.map((p) => [p.status, Object.keys(p.props)])).toEqual([[424, ['{urn:x}author']], [409, ['{DAV:}getetag']]]);
  });

  it('LOCK a member, then DELETE its collection without the token: the member comes back Locked', async () => {
    const answer = await gw.batch([
      { method: 'MKCOL', href: base },
      { method: 'PUT', href: `${base}locked.txt`, body: 'x' },
      { id: 'lock', method: 'LOCK', href: `${base}locked.txt`, timeoutSeconds: 60 },
    ]);
    expect(answer.responses[2]).toMatchObject({ kind: 'Success', lockToken: expect.stringMatching(/^opaquelocktoken:/) });
    const del = await gw.batch([{ id: 'del', method: 'DELETE', href: base }]);
    // Apache answers 424 with a multistatus naming the locked member (QUIRKS.md 10).
    expect(kinds(del)).toEqual([`del ${base} Error 424`, `del ${base}locked.txt Locked 423`]);
  });

  it('across requests, an explicit token with lockRoot lets the collection go; the token alone does not', async () => {
    const lock = await gw.batch([
      { method: 'MKCOL', href: base },
      { method: 'PUT', href: `${base}m.txt`, body: 'x' },
      { id: 'lock', method: 'LOCK', href: `${base}m.txt`, timeoutSeconds: 60 },
    ]);
    const token = lock.responses[2]?.lockToken as string;
    expect(token).toMatch(/^opaquelocktoken:/);
    // An untagged If covers only the request URI, the collection: Apache refuses the precondition.
    const untagged = await gw.batch([{ id: 'del', method: 'DELETE', href: base, lockToken: token }]);
    expect(kinds(untagged)).toEqual([`del ${base} Error 412`]);
    const tagged = await gw.batch([{ id: 'del', method: 'DELETE', href: base, lockToken: token, lockRoot: `${base}m.txt` }]);
    expect(kinds(tagged)).toEqual([`del ${base} Success 204`]);
  });

  it('refuses lockRoot without an explicit token, or outside the root, before sending anything', async () => {
    const alone = await gw.batch([{ id: 'd', method: 'DELETE', href: base, lockRoot: `${base}m.txt` }]);
    expect(alone.status).toBe(400);
    expect(JSON.parse(alone.body)).toMatchObject({ error: { code: 'OPERATION_INVALID', path: 'operations[0].lockRoot' } });
    const outside = await gw.batch([{ id: 'd', method: 'DELETE', href: base, lockToken: 'opaquelocktoken:x', lockRoot: '/etc/passwd' }]);
    expect(outside.status).toBe(400);
    expect(JSON.parse(outside.body)).toMatchObject({ error: { code: 'HREF_OUTSIDE_ROOT', path: 'operations[0].lockRoot' } });
  });

  it('the same DELETE with the token from a LOCK in the batch succeeds', async () => {
    const answer = await gw.batch([
      { method: 'MKCOL', href: base },
      { method: 'PUT', href: `${base}f.txt`, body: 'x' },
      { id: 'lock', method: 'LOCK', href: `${base}f.txt` },
      { id: 'del', method: 'DELETE', href: `${base}f.txt`, lockToken: '$lock' },
    ]);
    expect(kinds(answer).slice(2)).toEqual([`lock ${base}f.txt Success 200`, `del ${base}f.txt Success 204`]);
  });

  it('an UNLOCK still runs after a failed write inside the lock, even with stopOnError; not after its LOCK failed', async () => {
    await gw.batch([{ method: 'MKCOL', href: base }]);
    const answer = await gw.batch([
      { id: 'lock', method: 'LOCK', href: base, depth: 'infinity', timeoutSeconds: 60 },
      { id: 'put', method: 'PUT', href: `${base}a.txt`, body: 'x', lockToken: '$lock' },
      { id: 'gone', method: 'DELETE', href: `${base}missing.txt`, lockToken: '$lock' },
      { id: 'later', method: 'PUT', href: `${base}b.txt`, body: 'y', lockToken: '$lock' },
      { id: 'unlock', method: 'UNLOCK', href: base, lockToken: '$lock' },
    ], { stopOnError: true, concurrency: 1 });
    expect(kinds(answer)).toEqual([
      `lock ${base} Success 200`,
      `put ${base}a.txt Created 201`,
      `gone ${base}missing.txt Error 404`,
      `later ${base}b.txt Error -`,
      `unlock ${base} Success 204`,
    ]);
    // The lock is gone: a write without its token goes through.
    expect(kinds(await gw.batch([{ id: 'free', method: 'PUT', href: `${base}c.txt`, body: 'z' }]))).toEqual([`free ${base}c.txt Created 201`]);
    const failedLock = await gw.batch([
      { id: 'lock', method: 'LOCK', href: `${base}nowhere/deeper/x.txt` },
      { id: 'unlock', method: 'UNLOCK', href: `${base}nowhere/deeper/x.txt`, lockToken: '$lock' },
    ]);
    expect(failedLock.responses.map((r) => `${r.operationId} ${r.kind} ${r.code ?? ''}`)).toEqual(['lock Error CONFLICT', 'unlock Error DEPENDENCY_FAILED']);
  });

  it('COPY and MOVE onto an existing destination with Overwrite F, and onto a locked one', async () => {
    await gw.batch([
      { method: 'MKCOL', href: base },
      { method: 'PUT', href: `${base}src.txt`, body: 's' },
      { method: 'PUT', href: `${base}dst.txt`, body: 'd' },
      { method: 'PUT', href: `${base}held.txt`, body: 'h' },
      { method: 'LOCK', href: `${base}held.txt` },
    ]);
    // Separate batches: in one, the MOVE and the second COPY would depend on the failed COPY (424).
    const copy = await gw.batch([{ id: 'copy', method: 'COPY', href: `${base}src.txt`, destination: `${base}dst.txt`, overwrite: false }]);
    const move = await gw.batch([{ id: 'move', method: 'MOVE', href: `${base}src.txt`, destination: `${base}dst.txt`, overwrite: false }]);
    const ontoLocked = await gw.batch([{ id: 'onto-locked', method: 'COPY', href: `${base}dst.txt`, destination: `${base}held.txt` }]);
    expect([...kinds(copy), ...kinds(move), ...kinds(ontoLocked)]).toEqual([
      `copy ${base}src.txt Error 412`,
      `move ${base}src.txt Error 412`,
      `onto-locked ${base}dst.txt Locked 423`,
    ]);
    const inOne = await gw.batch([
      { id: 'copy', method: 'COPY', href: `${base}src.txt`, destination: `${base}dst.txt`, overwrite: false },
      { id: 'move', method: 'MOVE', href: `${base}src.txt`, destination: `${base}dst.txt`, overwrite: false },
    ]);
    expect(kinds(inOne)).toEqual([`copy ${base}src.txt Error 412`, `move ${base}src.txt Error 424`]);
  });

  it('a stale If-Match is a 412; a mixed batch accounts for every operation exactly', async () => {
    const answer = await gw.batch([
      { id: 'mk', method: 'MKCOL', href: base },
      { id: 'put', method: 'PUT', href: `${base}doc.txt`, body: 'v1' },
      { id: 'stale', method: 'PUT', href: `${base}doc.txt`, body: 'v2', ifMatch: '"not-the-etag"' },
      { id: 'orphan', method: 'PUT', href: `${base}missing/x.txt`, body: 'x' },
      { id: 'gone', method: 'DELETE', href: `${base}nothing-here` },
      { id: 'ok', method: 'PUT', href: `${base}other.txt`, body: 'ok' },
      // Depends on everything above (all inside it), some of which failed: not sent.
      { id: 'again', method: 'MKCOL', href: base },
    ]);
    expect(kinds(answer)).toEqual([
      `mk ${base} Created 201`,
      `put ${base}doc.txt Created 201`,
      `stale ${base}doc.txt Error 412`,
      `orphan ${base}missing/x.txt Error 409`,
      `gone ${base}nothing-here Error 404`,
      `ok ${base}other.txt Created 201`,
      `again ${base} Error 424`,
    ]);
    expect(answer.responses.map((r) => r.code ?? '')).toEqual(['', '', 'PRECONDITION_FAILED', 'CONFLICT', 'NOT_FOUND', '', 'DEPENDENCY_FAILED']);
  });

  it('answers RFC 4918 multistatus XML when asked for it', async () => {
    const answer = await gw.batch([{ method: 'MKCOL', href: base }, { method: 'MKCOL', href: base }], {}, { accept: 'application/xml' });
    expect(answer.status).toBe(207);
    expect(answer.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><D:multistatus xmlns:D="DAV:">/);
    expect(answer.body).toContain('<D:status>HTTP/1.1 201 Created</D:status>');
    expect(answer.body).toContain('<D:status>HTTP/1.1 405 Method Not Allowed</D:status>');
  });

  it('passes the caller\'s Authorization through when no credentials are configured', async () => {
    const pass = testGateway(apache.url, { mode: 'passthrough' });
    try {
      const without = await pass.batch([{ method: 'MKCOL', href: base }]);
      expect(kinds(without)).toEqual([`0 ${base} Error 401`]);
      const withAuth = await pass.batch([{ method: 'MKCOL', href: base }], {}, { authorization: basicAuth(apache) });
      expect(kinds(withAuth)).toEqual([`0 ${base} Created 201`]);
    } finally {
      await pass.close();
    }
  });

  it('refuses an href that leaves the backend root before sending anything', async () => {
    const answer = await gw.batch([{ method: 'PUT', href: `${base}ok.txt`, body: 'x' }, { method: 'DELETE', href: '/dav/../etc/passwd' }]);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'HREF_OUTSIDE_ROOT' } });
  });
});
