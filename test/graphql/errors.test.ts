import type { ApolloServer } from '@apollo/server';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../../src/config';
import type { GraphQLContext } from '../../src/graphql/context';
import { createApollo } from '../../src/graphql/server';
import type { UpstreamRequest } from '../../src/upstream/types';
import { testGateway } from '../rest/gateway';
import { graphql } from './client';

const SECRET = 'hunter2-s3cret';
const silent = { info() {}, error() {}, warn() {}, debug() {}, trace() {}, fatal() {}, child() { return silent; }, level: 'silent', silent() {} } as unknown as FastifyBaseLogger;

/**
 * Whole-request failures of the GraphQL face: typed codes, and nothing that leaks. Driven with
 * executeOperation over an in-process backend object: a programming error inside a backend
 * (the fault here) is not something a real server can be made to produce.
 */
describe('GraphQL errors', () => {
  let apollo: ApolloServer<GraphQLContext>;
  const calls: UpstreamRequest[] = [];
  const backend = {
    origin: 'http://127.0.0.1:9',
    root: '/',
    resolveHref: (href: string) => href,
    async send(request: UpstreamRequest): Promise<never> {
      calls.push(request);
      throw new Error(`boom at http://alice:${SECRET}@backend.internal/ with Authorization: Basic ${SECRET}`);
    },
  };
  const context = (authorization?: string): GraphQLContext => ({ backend, send: authorization === undefined ? {} : { authorization }, concurrency: 8, log: silent });

  beforeAll(async () => {
    apollo = createApollo({ ...loadConfig({ NODE_ENV: 'production' }).graphql }, silent);
    await apollo.start();
  });
  afterAll(() => apollo.stop());

  it('masks an unexpected error: fixed message, INTERNAL_SERVER_ERROR, no secret, no stack', async () => {
    const res = await apollo.executeOperation(
      { query: 'mutation { batch(operations: [{ method: DELETE, href: "/a" }]) { counts { total } } }' },
      { contextValue: context(`Basic ${SECRET}`) },
    );
    const text = JSON.stringify(res);
    expect(calls).toHaveLength(1);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('backend.internal');
    expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    expect(res.body.kind === 'single' && res.body.singleResult.errors?.[0]).toMatchObject({ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('reports a DavgateError (a CR LF in a destination) with its own code and the path of the field, through executeOperation', async () => {
    calls.length = 0;
    const res = await apollo.executeOperation(
      { query: 'mutation($ops: [OperationInput!]!) { batch(operations: $ops) { counts { total } } }', variables: { ops: [{ method: 'MOVE', href: '/a', destination: '/b\r\nX-Evil: 1' }] } },
      { contextValue: context() },
    );
    expect(calls).toHaveLength(0);
    const errors = res.body.kind === 'single' ? res.body.singleResult.errors : undefined;
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'OPERATION_INVALID', position: { path: 'operations[0].destination' } } });
  });

  it('answers a per-href transport failure as an Error member, with no credentials in it', async () => {
    // A closed port: every operation gets UPSTREAM_REFUSED as data, not a GraphQL error.
    const gw = testGateway('http://127.0.0.1:9/dav/', { mode: 'basic', username: 'alice', password: SECRET }, { connectTimeoutMs: 500 });
    try {
      const answer = await graphql(gw, 'mutation { batch(operations: [{ id: "x", method: PUT, href: "/dav/a.txt", body: "x", ifNoneMatch: "*" }]) { results { ... on Error { href code retryable description } } } }');
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toMatchObject({ batch: { results: [{ href: '/dav/a.txt', code: 'UPSTREAM_REFUSED', retryable: true }] } });
      expect(answer.body).not.toContain(SECRET);
      expect(answer.body).not.toContain('alice');
    } finally {
      await gw.close();
    }
  });
});
