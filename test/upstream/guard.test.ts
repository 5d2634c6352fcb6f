import { DavgateError } from '../../src/model/errors';
import { DEFAULT_LIMITS } from '../../src/upstream/backend';
import { BackendGuard } from '../../src/upstream/guard';
import type { UpstreamResponse } from '../../src/upstream/types';

const ok = async (): Promise<UpstreamResponse> => ({ status: 204, headers: {}, body: Buffer.alloc(0) });
const refused = async (): Promise<UpstreamResponse> => {
  throw new DavgateError('UPSTREAM_REFUSED', 'connection refused');
};

describe('BackendGuard', () => {
  let guard: BackendGuard;
  afterEach(() => guard.close());

  // opossum's default keeps latency percentiles: its stats then join and sort every latency of the
  // window on each failure, milliseconds per failed request once the window holds tens of thousands
  // of calls, just when a backend starts failing. The guard reads no percentiles, so none are kept.
  it('does not sort the window\'s latencies on a failure', async () => {
    guard = new BackendGuard('b', { ...DEFAULT_LIMITS, failureVolume: 1_000_000 });
    for (let i = 0; i < 500; i++) await guard.run(ok);
    const sort = jest.spyOn(Array.prototype, 'sort');
    try {
      for (let i = 0; i < 20; i++) await expect(guard.run(refused)).rejects.toMatchObject({ code: 'UPSTREAM_REFUSED' });
      expect(sort).not.toHaveBeenCalled();
    } finally {
      sort.mockRestore();
    }
  });

  it('opens after enough failures and refuses with BACKEND_FAILING and a Retry-After', async () => {
    guard = new BackendGuard('b', { ...DEFAULT_LIMITS, failureVolume: 4, failurePercent: 50, recoveryMs: 3_000 });
    for (let i = 0; i < 4; i++) await expect(guard.run(refused)).rejects.toMatchObject({ code: 'UPSTREAM_REFUSED' });
    expect(guard.failing).toBe(true);
    await expect(guard.run(ok)).rejects.toMatchObject({ code: 'BACKEND_FAILING', retryAfterSeconds: 3 });
  });
});
