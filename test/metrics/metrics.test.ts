import { basicCredentials, testServers } from '../servers';
import { testGateway, unique, type TestGateway } from '../rest/gateway';
import { graphql } from '../graphql/client';

/** One sample's value from the Prometheus text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const inner = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    if (wanted.every((w) => inner.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** GET /metrics after real traffic through both faces against Apache. */
describe('Prometheus metrics', () => {
  const apache = testServers().apache;
  let gw: TestGateway;

  beforeAll(() => {
    gw = testGateway(apache.url, basicCredentials(apache));
  });
  afterAll(() => gw.close());

  it('counts requests by face and outcome, results by kind and batch sizes', async () => {
    const base = `/dav/${unique('m')}/`;
    const rest = await gw.batch([{ method: 'MKCOL', href: base }, { method: 'PUT', href: `${base}a.txt`, body: 'x' }, { method: 'DELETE', href: `${base}none` }]);
    expect(rest.status).toBe(207);
    const refused = await gw.batch([{ method: 'NOPE', href: base }]);
    expect(refused.status).toBe(400);
    const viaGraphQL = await graphql(gw, `mutation { batch(operations: [{ method: PUT, href: "${base}b.txt", body: "y" }]) { counts { created } } }`);
    expect(viaGraphQL.data).toEqual({ batch: { counts: { created: 1 } } });

    const res = await fetch(`${await gw.url()}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'davgate_requests_total', { face: 'rest', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'davgate_requests_total', { face: 'rest', outcome: 'rejected' })).toBe(1);
    expect(sample(text, 'davgate_requests_total', { face: 'graphql', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'davgate_results_total', { face: 'rest', kind: 'Created' })).toBe(2);
    expect(sample(text, 'davgate_results_total', { face: 'rest', kind: 'Error' })).toBe(1);
    expect(sample(text, 'davgate_results_total', { face: 'graphql', kind: 'Created' })).toBe(1);
    expect(sample(text, 'davgate_batch_operations_count', { face: 'rest' })).toBe(1);
    expect(sample(text, 'davgate_batch_operations_sum', { face: 'rest' })).toBe(3);
    expect(sample(text, 'davgate_request_duration_seconds_count', { face: 'graphql' })).toBe(1);
    expect(sample(text, 'davgate_process_resident_memory_bytes')).toBeGreaterThan(0);
    // The refused batch, by face and code; the upstream side per backend, method and outcome.
    expect(sample(text, 'davgate_requests_rejected_total', { face: 'rest', code: 'OPERATION_INVALID' })).toBe(1);
    expect(sample(text, 'davgate_upstream_request_duration_seconds_count', { backend: 'test', method: 'PUT', outcome: '2xx' })).toBe(2);
    expect(sample(text, 'davgate_upstream_request_duration_seconds_count', { backend: 'test', method: 'DELETE', outcome: '4xx' })).toBe(1);
    expect(sample(text, 'davgate_upstream_connections', { backend: 'test' })).toBeGreaterThan(0);
    expect(sample(text, 'davgate_upstream_in_flight', { backend: 'test' })).toBe(0);
    expect(sample(text, 'davgate_upstream_circuit_open', { backend: 'test' })).toBe(0);
  });
});
