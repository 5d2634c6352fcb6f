import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app';
import { loadConfig, type GatewayConfig } from '../../src/config';
import { Metrics } from '../../src/metrics/metrics';
import { instrumentedClient } from '../../src/server';
import { DEFAULT_LIMITS, type BackendAuth } from '../../src/upstream/backend';

/**
 * The gateway in process, in front of one backend, listening on a loopback port and driven
 * with fetch (fastify's inject needs an ESM-only module jest's CommonJS runtime cannot load).
 */
export interface TestGateway {
  readonly app: FastifyInstance;
  /** The gateway's base URL, e.g. http://127.0.0.1:PORT */
  url(): Promise<string>;
  batch(operations: unknown[], extra?: Record<string, unknown>, headers?: Record<string, string>): Promise<BatchAnswer>;
  close(): Promise<void>;
}

export interface BatchEntry {
  href: string;
  kind: 'Success' | 'Created' | 'Locked' | 'Error';
  status: number | null;
  code?: string;
  operationId: string;
  lockToken?: string;
  etag?: string;
  [key: string]: unknown;
}

export interface BatchAnswer {
  status: number;
  responses: BatchEntry[];
  /** The error of a refused batch (a 4xx or 5xx with a JSON body). */
  error?: { code: string; message: string; [key: string]: unknown };
  body: string;
}

/** POST /v1/batch to the gateway at `base` (`{ operations, ...extra }`), its answer parsed when it is JSON. */
export async function postBatch(base: string, operations: unknown[], extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<BatchAnswer> {
  const res = await fetch(`${base}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ operations, ...extra }),
  });
  const body = await res.text();
  const parsed: Partial<Pick<BatchAnswer, 'responses' | 'error'>> = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(body) as Pick<BatchAnswer, 'responses' | 'error'>) : {};
  return { status: res.status, responses: parsed.responses ?? [], ...(parsed.error === undefined ? {} : { error: parsed.error }), body };
}

export function testGateway(url: string, auth: BackendAuth, limits: Partial<typeof DEFAULT_LIMITS> = {}, config: Partial<GatewayConfig> = {}): TestGateway {
  const metrics = new Metrics();
  const client = instrumentedClient({ name: 'test', url, auth, limits: { ...DEFAULT_LIMITS, ...limits } }, metrics);
  const app = buildApp({ ...loadConfig({}), logLevel: 'silent', ...config }, client, metrics);
  let listening: Promise<string> | undefined;
  const base = () => (listening ??= app.listen({ host: '127.0.0.1', port: 0 }));
  return {
    app,
    url: base,
    async batch(operations, extra = {}, headers = {}) {
      return postBatch(await base(), operations, extra, headers);
    },
    async close() {
      await app.close();
      await client.close();
    },
  };
}

/** A fresh collection name per test, so tests never see each other's files. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** `kind status` of each entry, for exact assertions. */
export function kinds(answer: BatchAnswer): string[] {
  return answer.responses.map((r) => `${r.operationId} ${r.href.replace(/^https?:\/\/[^/]+/, '')} ${r.kind} ${r.status ?? '-'}`);
}
