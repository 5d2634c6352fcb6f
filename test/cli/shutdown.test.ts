import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdingBackend, until, type HoldingBackend } from '../helpers/holding-backend';
import { postBatch } from '../rest/gateway';
import { startReplica, type Replica } from '../scale/replica';

/**
 * Graceful shutdown of `davgate serve` (issue 5), the real process: on SIGTERM it stops
 * accepting connections, lets batches in flight finish within DAVGATE_SHUTDOWN_GRACE_MS, and
 * reports the operations still unfinished after it as Error results in the batch's answer,
 * then exits 0. The backend holds requests until told to answer (test/helpers/holding-backend.ts).
 */

/** A `davgate serve` process (test/scale/replica.ts, as it is deployed) in front of the holding backend, logging at info. */
async function serve(backend: HoldingBackend, graceMs: number) {
  const replica = await startReplica(`grace-${graceMs}`, runDir, { DAVGATE_BACKEND_URL: backend.url, DAVGATE_SHUTDOWN_GRACE_MS: String(graceMs), DAVGATE_LOG_LEVEL: 'info' });
  replicas.push(replica);
  return {
    url: replica.url,
    terminate: () => process.kill(replica.child.pid, 'SIGTERM'),
    output: () => readFileSync(replica.child.logFiles[0] as string, 'utf8'),
    exited: replica.child.exited,
  };
}

let runDir: string;
const replicas: Replica[] = [];

describe('davgate serve on SIGTERM', () => {
  let backend: HoldingBackend;

  beforeAll(() => {
    runDir = mkdtempSync(join(tmpdir(), 'davgate-shutdown-'));
  });
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));
  beforeEach(async () => {
    backend = await holdingBackend();
  });
  afterEach(async () => {
    // Already exited when the test passed; stopped (SIGTERM, then SIGKILL) when it did not.
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    backend.release();
    await backend.close();
  });

  it('stops accepting, finishes a batch in flight within the grace period, and exits 0', async () => {
    const gateway = await serve(backend, 10000);
    const answer = postBatch(gateway.url, [{ id: 'a', method: 'PUT', href: '/dav/a.txt', body: 'a' }, { id: 'b', method: 'PUT', href: '/dav/b.txt', body: 'b' }]);
    await until(() => backend.held() === 2, 'both PUTs to reach the backend');

    gateway.terminate();
    await until(() => gateway.output().includes('shutting down'), 'the shutdown to begin');
    // No new connections once draining. The log line comes just before fastify closes the
    // listener, so the refusal is polled for; the batch is still held, so it comes while draining.
    await until(() => fetch(`${gateway.url}/healthz`).then(() => false, () => true), 'new connections to be refused');
    expect(backend.held()).toBe(2);

    backend.release();
    const { status, responses } = await answer;
    expect(status).toBe(207);
    expect(responses.map((r) => `${r.operationId} ${r.kind} ${r.status}`)).toEqual(['a Created 201', 'b Created 201']);
    expect(await gateway.exited).toBe('code 0');
    expect(gateway.output()).toMatch(/"cutShort":false/);
  });

  it('after the grace period, reports every unfinished operation as an Error result, then exits 0', async () => {
    const gateway = await serve(backend, 300);
    // Two in flight (concurrency 2), one waiting for a slot.
    const answer = postBatch(gateway.url, ['a', 'b', 'c'].map((id) => ({ id, method: 'PUT', href: `/dav/${id}.txt`, body: id })), { concurrency: 2 });
    await until(() => backend.held() === 2, 'two PUTs to reach the backend');

    const signalled = Date.now();
    gateway.terminate();
    const { status, responses } = await answer;
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(status).toBe(207);
    // The two sent PUTs may or may not have been applied: said so. The third was never sent.
    expect(responses.map((r) => `${r.operationId} ${r.kind} ${r.code}`)).toEqual([
      'a Error UPSTREAM_OUTCOME_UNKNOWN',
      'b Error UPSTREAM_OUTCOME_UNKNOWN',
      'c Error GATEWAY_SHUTTING_DOWN',
    ]);
    expect(responses[0]?.description).toMatch(/the gateway shut down after the request was sent/);
    expect(responses[2]?.description).toMatch(/the grace period of 300 ms is over/);
    expect(await gateway.exited).toBe('code 0');
    expect(gateway.output()).toMatch(/"cutShort":true/);
  });
});
