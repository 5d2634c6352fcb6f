import { Pool, type Dispatcher } from 'undici';
import type { BackendLimits } from './backend';

/**
 * The one dispatcher of a backend: an undici Pool, which only ever connects to the origin it
 * was made for, with every limit set (undici's defaults are 300 s timeouts, unlimited
 * connections and no size limit). No redirect or retry interceptor is composed on it: a 3xx
 * is returned as it is, and retries follow davgate's own policy (policy.ts). HTTP/1.1 only,
 * one request per connection at a time (pipelining 1), so a lost connection takes at most one
 * request with it.
 */
export function createBackendDispatcher(origin: string, limits: BackendLimits): Dispatcher {
  return new Pool(origin, {
    connections: limits.connections,
    pipelining: 1,
    connectTimeout: limits.connectTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    bodyTimeout: limits.bodyTimeoutMs,
    // The collector enforces the same cap; undici's check also covers other users of the pool.
    maxResponseSize: limits.maxResponseBytes,
    allowH2: false,
  });
}
