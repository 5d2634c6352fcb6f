import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { holdingBackend, until, type HoldingBackend } from '../helpers/holding-backend';

/**
 * Graceful shutdown of `davgate serve` (issue 5), the real process: on SIGTERM it stops
 * accepting connections, lets batches in flight finish within DAVGATE_SHUTDOWN_GRACE_MS, and
 * reports the operations still unfinished after it as Error results in the batch's answer,
 * then exits 0. The backend holds requests until told to answer (test/helpers/holding-backend.ts).
 */

const BIN = join(__dirname, '..', '..', 'bin', 'davgate.js');

/** Starts `davgate serve` and resolves with its URL once it listens; its stderr is kept for the assertions. */
function serve(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output(): string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, DAVGATE_PORT: '0', DAVGATE_LOG_LEVEL: 'info', DAVGATE_CONFIG: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`davgate did not start: ${output}`)), 10_000);
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
      const url = /davgate listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output, exited });
      }
    });
    child.once('exit', (code) => reject(new Error(`davgate exited with ${code}: ${output}`)));
  });
}


function postBatch(url: string, operations: unknown[], extra: Record<string, unknown> = {}) {
  return fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operations, ...extra }) })
    .then(async (res) => ({ status: res.status, body: (await res.json()) as { responses: { operationId: string; kind: string; status: number | null; code?: string; description?: string }[] } }));
}

describe('davgate serve on SIGTERM', () => {
  let backend: HoldingBackend;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    backend = await holdingBackend();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    backend.release();
    await backend.close();
  });

  it('stops accepting, finishes a batch in flight within the grace period, and exits 0', async () => {
    const gateway = await serve({ DAVGATE_BACKEND_URL: backend.url, DAVGATE_SHUTDOWN_GRACE_MS: '10000' });
    children.push(gateway.child);
    const answer = postBatch(gateway.url, [{ id: 'a', method: 'PUT', href: '/dav/a.txt', body: 'a' }, { id: 'b', method: 'PUT', href: '/dav/b.txt', body: 'b' }]);
    await until(() => backend.held() === 2, 'both PUTs to reach the backend');

    gateway.child.kill('SIGTERM');
    await until(() => gateway.output().includes('shutting down'), 'the shutdown to begin');
    // No new connections once draining.
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();

    backend.release();
    const { status, body } = await answer;
    expect(status).toBe(207);
    expect(body.responses.map((r) => `${r.operationId} ${r.kind} ${r.status}`)).toEqual(['a Created 201', 'b Created 201']);
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toMatch(/"cutShort":false/);
  });

  it('after the grace period, reports every unfinished operation as an Error result, then exits 0', async () => {
    const gateway = await serve({ DAVGATE_BACKEND_URL: backend.url, DAVGATE_SHUTDOWN_GRACE_MS: '300' });
    children.push(gateway.child);
    // Two in flight (concurrency 2), one waiting for a slot.
    const answer = postBatch(gateway.url, ['a', 'b', 'c'].map((id) => ({ id, method: 'PUT', href: `/dav/${id}.txt`, body: id })), { concurrency: 2 });
    await until(() => backend.held() === 2, 'two PUTs to reach the backend');

    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    const { status, body } = await answer;
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(status).toBe(207);
    // The two sent PUTs may or may not have been applied: said so. The third was never sent.
    expect(body.responses.map((r) => `${r.operationId} ${r.kind} ${r.code}`)).toEqual([
      'a Error UPSTREAM_OUTCOME_UNKNOWN',
      'b Error UPSTREAM_OUTCOME_UNKNOWN',
      'c Error GATEWAY_SHUTTING_DOWN',
    ]);
    expect(body.responses[0]?.description).toMatch(/the gateway shut down after the request was sent/);
    expect(body.responses[2]?.description).toMatch(/the grace period of 300 ms is over/);
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toMatch(/"cutShort":true/);
  });
});
