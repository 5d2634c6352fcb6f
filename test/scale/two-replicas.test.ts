import { mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { RESULT_FIELDS } from '../graphql/client';
import { kinds, unique, type BatchAnswer, type BatchEntry } from '../rest/gateway';
import { basicAuth, SERVERS_ENV, testServers } from '../servers';
import { MEMBER_HEADER, startBalancer, type BalancerHandle } from './balancer';
import { configuredBackend, served, startReplica, type Replica, type Served } from './replica';

const BATCH = `mutation Batch($ops: [OperationInput!]!) { batch(operations: $ops) { results { ${RESULT_FIELDS} } } }`;

interface Member { __typename: string; href: string; status: number | null; operationId: string }

/** One request through the balancer, and the replica that served it. */
interface Step {
  readonly name: string;
  /** Index into the replicas: the one whose own request counter moved. */
  readonly replica: number;
  readonly member: string | null;
  readonly requestId: string | null;
}

const total = (s: Served): number => s.rest + s.graphql;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * README, "Scaling out": davgate keeps no state between requests, so replicas behind a load
 * balancer with no session affinity serve the same traffic. Two `davgate serve` processes
 * behind Apache's mod_proxy_balancer (byrequests), against the test Apache's /dav/: a LOCK
 * taken through one replica is used, refused and released through the other, by both faces.
 */
describe('two davgate replicas behind a round-robin balancer', () => {
  const apache = testServers().apache;
  let replicas: Replica[] = [];
  let balancer: BalancerHandle | undefined;
  let initial: Served[] = [];
  let last: Served[] = [];
  const steps: Step[] = [];

  beforeAll(async () => {
    // Inside the test servers' run directory: global teardown removes it (DAVGATE_KEEP_SERVERS_DIR=1 keeps it, logs included).
    const runDir = mkdtempSync(path.join(path.dirname(process.env[SERVERS_ENV] as string), 'scale-'));
    const started = await Promise.allSettled(['replica-1', 'replica-2'].map((name) => startReplica(name, runDir, configuredBackend(apache))));
    replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    balancer = await startBalancer(runDir, [replicas[0]?.url as string, replicas[1]?.url as string]);
    initial = last = await Promise.all(replicas.map(served));
  });

  afterAll(async () => {
    await balancer?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
  });

  /** Reads both replicas' counters until the request just answered shows up in exactly one of them. */
  async function servedBy(name: string): Promise<number> {
    let now = last;
    for (let tries = 0; tries < 20; tries++) {
      now = await Promise.all(replicas.map(served));
      if (now.reduce((n, s) => n + total(s), 0) > last.reduce((n, s) => n + total(s), 0)) break;
      await sleep(10); // the counter moves in onResponse, a moment after the answer left
    }
    const delta = now.map((s, i) => total(s) - total(last[i] as Served));
    last = now;
    expect({ step: name, delta: delta.toSorted() }).toEqual({ step: name, delta: [0, 1] });
    return delta.indexOf(1);
  }

  /** POSTs through the balancer; records which replica served it and checks it is not the previous step's. */
  async function post(name: string, route: '/v1/batch' | '/graphql', payload: unknown): Promise<{ status: number; body: string }> {
    const res = await fetch(`${balancer?.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    const body = await res.text();
    const replica = await servedBy(name);
    const step: Step = { name, replica, member: res.headers.get(MEMBER_HEADER), requestId: res.headers.get('x-request-id') };
    // The balancer's own account agrees with the replicas' counters.
    expect(step.member).toBe(replicas[replica]?.url);
    const previous = steps.at(-1);
    if (previous !== undefined) expect({ [name]: replica }).not.toEqual({ [name]: previous.replica });
    steps.push(step);
    return { status: res.status, body };
  }

  async function batch(name: string, operations: unknown[]): Promise<BatchAnswer> {
    const { status, body } = await post(name, '/v1/batch', { operations });
    expect({ [name]: status }).toEqual({ [name]: 207 });
    return { status, body, responses: (JSON.parse(body) as { responses: BatchEntry[] }).responses };
  }

  async function graphqlBatch(name: string, ops: unknown[]): Promise<string[]> {
    const { status, body } = await post(name, '/graphql', { query: BATCH, variables: { ops } });
    const parsed = JSON.parse(body) as { data?: { batch: { results: Member[] } }; errors?: unknown };
    expect({ status, errors: parsed.errors }).toEqual({ status: 200, errors: undefined });
    return (parsed.data?.batch.results ?? []).map((r) => `${r.operationId} ${r.href.replace(/^https?:\/\/[^/]+/, '')} ${r.__typename} ${r.status ?? '-'}`);
  }

  const direct = (method: string, href: string): Promise<Response> =>
    fetch(new URL(href, apache.url), { method, headers: { Depth: '0', Authorization: basicAuth(apache) } });

  it('runs a LOCK and the writes that depend on it as separate batches, each on the other replica than the one before', async () => {
    const base = `${new URL(apache.url).pathname}${unique('scale')}/`;
    const file = `${base}doc.txt`;

    const a = await batch('A', [
      { id: 'mk', method: 'MKCOL', href: base },
      { id: 'put', method: 'PUT', href: file, body: 'v1', contentType: 'text/plain' },
    ]);
    expect(kinds(a)).toEqual([`mk ${base} Created 201`, `put ${file} Created 201`]);

    const b = await batch('B', [{ id: 'lock', method: 'LOCK', href: file, scope: 'exclusive', depth: '0', timeoutSeconds: 60, owner: 'scale-test' }]);
    expect(kinds(b)).toEqual([`lock ${file} Success 200`]);
    const token = b.responses[0]?.lockToken as string;
    expect(token).toMatch(/^opaquelocktoken:/);

    const c = await batch('C', [
      { id: 'put', method: 'PUT', href: file, body: 'v2', lockToken: token },
      { id: 'tag', method: 'PROPPATCH', href: file, set: { '{urn:x}author': 'Ann' }, lockToken: token },
      // Last: operations on one href run in batch order, and a failed one fails those after it (424).
      { id: 'bare', method: 'PUT', href: file, body: 'v3' },
    ]);
    expect(kinds(c)).toEqual([`put ${file} Success 204`, `tag ${file} Success 200`, `bare ${file} Locked 423`]);

    const d = await batch('D', [{ id: 'del', method: 'DELETE', href: base }]);
    // Apache answers 424 with a multistatus naming the locked member (QUIRKS.md 10), as in test/rest/batch-apache.test.ts.
    expect(kinds(d)).toEqual([`del ${base} Error 424`, `del ${file} Locked 423`]);

    // The GraphQL face, on the replica that did not take the lock, with the token the REST face returned.
    const g = await graphqlBatch('G', [
      { id: 'put', method: 'PUT', href: file, body: 'v4', lockToken: token },
      { id: 'bare', method: 'DELETE', href: file },
    ]);
    expect(g).toEqual([`put ${file} Success 204`, `bare ${file} Locked 423`]);

    const e = await batch('E', [{ id: 'unlock', method: 'UNLOCK', href: file, lockToken: token }]);
    expect(kinds(e)).toEqual([`unlock ${file} Success 204`]);
    const content = await direct('GET', file);
    expect({ status: content.status, body: await content.text() }).toEqual({ status: 200, body: 'v4' });

    const f = await batch('F', [{ id: 'del', method: 'DELETE', href: base }]);
    expect(kinds(f)).toEqual([`del ${base} Success 204`]);
    expect((await direct('PROPFIND', base)).status).toBe(404);

    // Strict alternation (each step above checked it against the one before): the LOCK was
    // taken on one replica and every write using its token went through the other.
    const [first, second] = [steps[0]?.replica as number, 1 - (steps[0]?.replica as number)];
    expect(steps.map((s) => `${s.name} ${s.replica === first ? 'first' : 'second'}`)).toEqual([
      'A first', 'B second', 'C first', 'D second', 'G first', 'E second', 'F first',
    ]);
    const delta = (i: number): Served => ({ rest: (last[i]?.rest ?? 0) - (initial[i]?.rest ?? 0), graphql: (last[i]?.graphql ?? 0) - (initial[i]?.graphql ?? 0) });
    expect([delta(first), delta(second)]).toEqual([{ rest: 3, graphql: 1 }, { rest: 3, graphql: 0 }]);
    // Every answer carries its request id, one per request.
    const ids = steps.map((s) => s.requestId ?? '');
    expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(steps.length);
  });

  it('each replica exits 0 on SIGTERM', async () => {
    await balancer?.stop();
    expect(await Promise.all(replicas.map((r) => r.stop()))).toEqual(['code 0', 'code 0']);
  });
});
