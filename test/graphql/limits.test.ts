import { loadConfig, type GatewayConfig } from '../../src/config';
import { basicCredentials, testServers } from '../servers';
import { testGateway, type TestGateway } from '../rest/gateway';
import { graphql } from './client';

const DELETE_ONE = 'mutation { batch(operations: [{ method: DELETE, href: "/dav/limits-no-such-file" }]) { counts { total error } } }';

/**
 * The abuse limits of the GraphQL face, each shown rejecting: depth, aliases, tokens, cost
 * (graphql-armor), body size, CSRF prevention, batched HTTP requests, introspection and field
 * suggestions. Each limit is lowered where that keeps the query readable.
 */
describe('GraphQL abuse limits', () => {
  const apache = testServers().apache;
  const auth = basicCredentials(apache);
  const defaults = loadConfig({});
  const gateways: TestGateway[] = [];
  const gateway = (config: Partial<GatewayConfig> = {}) => {
    const gw = testGateway(apache.url, auth, {}, config);
    gateways.push(gw);
    return gw;
  };
  const withGraphQL = (graphqlConfig: Partial<GatewayConfig['graphql']>) => gateway({ graphql: { ...defaults.graphql, ...graphqlConfig } });
  let gw: TestGateway;

  beforeAll(() => {
    gw = gateway();
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
  });

  it('runs a query within every limit', async () => {
    const answer = await graphql(gw, DELETE_ONE);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ batch: { counts: { total: 1, error: 1 } } });
  });

  it('rejects a query deeper than the depth limit with QUERY_TOO_DEEP, sending nothing', async () => {
    const shallow = withGraphQL({ maxDepth: 3 });
    expect((await graphql(shallow, DELETE_ONE)).errors).toBeUndefined();
    const deep = await graphql(shallow, 'mutation { batch(operations: [{ method: DELETE, href: "/dav/x" }]) { results { ... on Success { properties { name } } } } }');
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_DEEP' }, message: expect.stringMatching(/depth limit of 3/) });
    expect(deep.data).toBeUndefined();
  });

  it('rejects more aliases than allowed with TOO_MANY_ALIASES', async () => {
    // armor does not count aliases of __typename.
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __schema { queryType { name } }`).join(' ')} }`;
    expect((await graphql(gw, aliases(defaults.graphql.maxAliases))).errors).toBeUndefined();
    const answer = await graphql(gw, aliases(defaults.graphql.maxAliases + 1));
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
  });

  it('rejects a document with more tokens than allowed with TOO_MANY_TOKENS', async () => {
    const answer = await graphql(gw, `{ ${'__typename '.repeat(defaults.graphql.maxTokens + 10)}}`);
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0]?.extensions?.code).toBe('TOO_MANY_TOKENS');
  });

  it('rejects a query costlier than allowed with QUERY_TOO_COSTLY', async () => {
    const cheap = withGraphQL({ maxCost: 20 });
    expect((await graphql(cheap, DELETE_ONE)).errors).toBeUndefined();
    const answer = await graphql(cheap, `mutation { batch(operations: [{ method: DELETE, href: "/dav/x" }]) {
      counts { total success created locked error }
      results { ... on HrefResult { href status operationId operationIndex description } }
    } }`);
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
  });

  it('refuses a body over the size limit with 413 BODY_TOO_LARGE', async () => {
    const small = gateway({ maxBodyBytes: 2048 });
    const answer = await graphql(small, DELETE_ONE, { padding: 'x'.repeat(4096) });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
  });

  it('blocks a GET that a browser could send cross-site (CSRF prevention), and runs it with a preflight header', async () => {
    const url = `${await gw.url()}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const simple = await fetch(url);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
    const preflighted = await fetch(url, { headers: { 'apollo-require-preflight': '1' } });
    expect(await preflighted.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses batched HTTP requests (an array of operations in one body)', async () => {
    const res = await fetch(`${await gw.url()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/batch/i);
  });

  it('answers introspection in development and refuses it in production, without field suggestions there', async () => {
    const introspect = '{ __schema { queryType { name } } }';
    expect((await graphql(gw, introspect)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const production = gateway({ graphql: loadConfig({ NODE_ENV: 'production' }).graphql });
    const refused = await graphql(production, introspect);
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await graphql(production, '{ calendar { href } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const devTypo = await graphql(gw, '{ calendar { href } }');
    expect(devTypo.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('lets DAVGATE_GRAPHQL_INTROSPECTION turn introspection on in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).graphql.introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DAVGATE_GRAPHQL_INTROSPECTION: 'true' }).graphql.introspection).toBe(true);
    expect(loadConfig({}).graphql.introspection).toBe(true);
    expect(() => loadConfig({ DAVGATE_GRAPHQL_MAX_DEPTH: '0' })).toThrow(/DAVGATE_GRAPHQL_MAX_DEPTH/);
  });
});
