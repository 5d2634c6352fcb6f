import { basicAuth, basicCredentials, testServers } from '../servers';
import { kinds, testGateway, unique, type TestGateway } from '../rest/gateway';
import { dataOf, graphql, RESULT_FIELDS } from './client';

const BATCH = `mutation Batch($ops: [OperationInput!]!, $concurrency: Int, $stopOnError: Boolean) {
  batch(operations: $ops, concurrency: $concurrency, stopOnError: $stopOnError) {
    counts { total success created locked error }
    results { ${RESULT_FIELDS} }
  }
}`;

interface Member { __typename: string; href: string; status: number | null; operationId: string; [key: string]: unknown }
interface BatchData { batch: { counts: Record<string, number>; results: Member[] } }

const line = (r: Member) => `${r.operationId} ${r.href.replace(/^https?:\/\/[^/]+/, '')} ${r.__typename} ${r.status ?? '-'}`;

/** The GraphQL face's batch mutation against a real Apache httpd with mod_dav (Basic auth), started by global setup. */
describe('GraphQL batch against Apache mod_dav', () => {
  const apache = testServers().apache;
  let gw: TestGateway;
  let base: string;

  beforeAll(() => {
    gw = testGateway(apache.url, basicCredentials(apache));
  });
  afterAll(() => gw.close());
  beforeEach(() => {
    base = `${new URL(apache.url).pathname}${unique('g')}/`;
  });

  it('answers every member of the union in one batch, exactly', async () => {
    const ops = [
      { id: 'mk', method: 'MKCOL', href: base },
      { id: 'put', method: 'PUT', href: `${base}a.txt`, body: 'hello', contentType: 'text/plain' },
      { id: 'lock', method: 'LOCK', href: `${base}a.txt`, scope: 'EXCLUSIVE', depth: 'ZERO', timeoutSeconds: 60, owner: 'ann' },
      { id: 'patch', method: 'PROPPATCH', href: `${base}a.txt`, lockToken: '$lock', set: [{ name: '{urn:x}author', text: 'Ann' }] },
      { id: 'del', method: 'DELETE', href: `${base}a.txt` },
      { id: 'gone', method: 'DELETE', href: `${base}nothing-here` },
    ];
    const answer = await graphql<BatchData>(gw, BATCH, { ops });
    expect(answer.errors).toBeUndefined();
    const { counts, results } = dataOf(answer).batch;
    expect(results.map(line)).toEqual([
      `mk ${base} Created 201`,
      `put ${base}a.txt Created 201`,
      `lock ${base}a.txt Success 200`,
      `patch ${base}a.txt Success 200`,
      `del ${base}a.txt Locked 423`,
      `gone ${base}nothing-here Error 404`,
    ]);
    expect(counts).toEqual({ total: 6, success: 2, created: 2, locked: 1, error: 1 });
    expect(results[2]).toMatchObject({ lockToken: expect.stringMatching(/^opaquelocktoken:/), operationIndex: 2 });
    expect(results[3]).toMatchObject({ properties: [{ name: '{urn:x}author', status: 200, missing: false, text: null }] });
    // Apache's 423 for a locked file carries no DAV:error body, so no condition and no lock hrefs.
    expect(results[4]).toMatchObject({ condition: null, lockHrefs: [], operationIndex: 4 });
    expect(results[5]).toMatchObject({ code: 'NOT_FOUND', retryable: false, condition: null });
  });

  it('gives the same results as the REST face for the same batch (one executor behind both)', async () => {
    const rest = [
      { id: 'mk', method: 'MKCOL', href: base },
      { id: 'p', method: 'PROPPATCH', href: base, set: { '{urn:x}a': 'x', '{DAV:}getetag': '"forged"' } },
      { id: 'again', method: 'MKCOL', href: base },
    ];
    const viaRest = kinds(await gw.batch(rest));
    await gw.batch([{ method: 'DELETE', href: base }]);
    const ops = rest.map((op) => (op.set === undefined ? op : { ...op, set: Object.entries(op.set).map(([name, text]) => ({ name, text })) }));
    const viaGraphQL = dataOf(await graphql<BatchData>(gw, BATCH, { ops })).batch.results.map(line);
    expect(viaGraphQL).toEqual(viaRest);
    // Apache names a collection without its slash in a PROPPATCH answer; 'again' depends on the failed PROPPATCH.
    expect(viaRest).toEqual([`mk ${base} Created 201`, `p ${base.slice(0, -1)} Error 409`, `again ${base} Error 424`]);
  });

  it('a failed operation makes its dependants 424; stopOnError leaves the rest NOT_SENT', async () => {
    const ops = [
      { id: 'orphan', method: 'PUT', href: `${base}missing/x.txt`, body: 'x' },
      { id: 'child', method: 'PUT', href: `${base}missing/x.txt`, body: 'y' },
      { id: 'other', method: 'MKCOL', href: `${base.slice(0, -1)}-other/` },
    ];
    const answer = await graphql<BatchData>(gw, BATCH, { ops, concurrency: 1, stopOnError: true });
    expect(dataOf(answer).batch.results.map((r) => `${line(r)} ${String(r['code'])}`)).toEqual([
      `orphan ${base}missing/x.txt Error 409 CONFLICT`,
      `child ${base}missing/x.txt Error 424 DEPENDENCY_FAILED`,
      `other ${base.slice(0, -1)}-other/ Error - NOT_SENT`,
    ]);
  });

  it('looks a result up by any spelling of its href', async () => {
    const answer = await graphql<{ batch: { result: Member | null; missing: Member | null } }>(
      gw,
      `mutation($ops: [OperationInput!]!, $href: String!, $other: String!) { batch(operations: $ops) {
        result(href: $href) { ${RESULT_FIELDS} } missing: result(href: $other) { __typename } } }`,
      { ops: [{ id: 'mk', method: 'MKCOL', href: `${base}` }, { id: 'f', method: 'PUT', href: `${base}a b.txt`, body: 'x' }], href: `${apache.url.replace(/\/dav\/$/, '')}${base}a%20b.txt`, other: `${base}nope` },
    );
    expect(answer.errors).toBeUndefined();
    expect(dataOf(answer).batch.result).toMatchObject({ __typename: 'Created', operationId: 'f', status: 201 });
    expect(dataOf(answer).batch.missing).toBeNull();
  });

  it('refuses an invalid operation before sending anything, naming the operation and the field', async () => {
    const ops = [
      { id: 'ok', method: 'MKCOL', href: base },
      { id: 'bad', method: 'PROPPATCH', href: `${base}x`, set: [{ name: '{urn:x}a', text: 'x', value: ['y'] }] },
    ];
    const answer = await graphql(gw, BATCH, { ops });
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'OPERATION_INVALID', position: { path: 'operations[1].set[0]' } } });
    const cross = await graphql(gw, BATCH, { ops: [{ method: 'COPY', href: base }] });
    expect(cross.errors?.[0]?.extensions?.code).toBe('OPERATION_INVALID');
    expect(cross.errors?.[0]?.message).toMatch(/destination/);
    const outside = await graphql(gw, BATCH, { ops: [{ method: 'DELETE', href: '/dav/../etc/passwd' }] });
    expect(outside.errors?.[0]?.extensions?.code).toBe('HREF_OUTSIDE_ROOT');
    // Nothing was sent: the collection of the first operation does not exist.
    const check = await gw.batch([{ method: 'DELETE', href: base }]);
    expect(kinds(check)).toEqual([`0 ${base} Error 404`]);
  });

  it('passes each caller\'s own Authorization through; concurrent callers never see each other\'s answers', async () => {
    const pass = testGateway(apache.url, { mode: 'passthrough' });
    try {
      const good = basicAuth(apache);
      const bad = `Basic ${Buffer.from(`${apache.username}:wrong`).toString('base64')}`;
      const calls = Array.from({ length: 12 }, (_, i) => {
        const authorization = i % 2 === 0 ? good : bad;
        const href = `${base.slice(0, -1)}-${i}/`;
        return graphql<BatchData>(pass, BATCH, { ops: [{ id: `c${i}`, method: 'MKCOL', href }] }, { authorization }).then((a) => ({ i, href, a }));
      });
      for (const { i, href, a } of await Promise.all(calls)) {
        expect(dataOf(a).batch.results.map(line)).toEqual([`c${i} ${href} ${i % 2 === 0 ? 'Created 201' : 'Error 401'}`]);
      }
    } finally {
      await pass.close();
    }
  });
});
