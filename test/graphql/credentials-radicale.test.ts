import { loadConfig } from '../../src/config';
import type { GraphQLContext } from '../../src/graphql/context';
import { createApollo } from '../../src/graphql/server';
import { DEFAULT_LIMITS } from '../../src/upstream/backend';
import { UpstreamClient } from '../../src/upstream/client';
import { testServers } from '../servers';
import { SECOND_USER } from '../servers/radicale';
import { testGateway, unique, type TestGateway } from '../rest/gateway';
import { dataOf, graphql } from './client';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * The caller's Authorization reaches Radicale per request (pass-through: no credentials
 * configured). alice and bob each own a calendar; Radicale's owner_only rights keep them apart,
 * so any mix-up between concurrent requests would show as the wrong calendar or a 403.
 */
describe('GraphQL per-caller credentials against Radicale', () => {
  const radicale = testServers().radicale;
  const alice = basic(radicale.username, radicale.password);
  const bob = basic(SECOND_USER, radicale.password);
  let gw: TestGateway;
  const calendars: Record<string, string> = {};

  beforeAll(async () => {
    gw = testGateway(radicale.url, { mode: 'passthrough' });
    for (const [user, authorization] of [[radicale.username, alice], [SECOND_USER, bob]] as const) {
      calendars[user] = `/${user}/${unique('own')}/`;
      const made = await gw.batch([{ method: 'MKCALENDAR', href: calendars[user], set: { '{DAV:}displayname': `${user}'s` } }], {}, { authorization });
      expect(made.responses.map((r) => r.kind)).toEqual(['Created']);
    }
  });
  afterAll(() => gw.close());

  it('interleaved requests of two users each see only their own calendars', async () => {
    const query = '{ principal { href } calendars { href displayName } }';
    const runs = Array.from({ length: 16 }, (_, i) => {
      const [user, authorization] = i % 2 === 0 ? [radicale.username, alice] : [SECOND_USER, bob];
      return graphql<{ principal: { href: string }; calendars: { href: string; displayName: string }[] }>(gw, query, {}, { authorization }).then((answer) => ({ user, answer }));
    });
    for (const { user, answer } of await Promise.all(runs)) {
      const data = dataOf(answer);
      expect(data.principal.href).toBe(`/${user}/`);
      expect(data.calendars.map((c) => c.href)).toContain(calendars[user]);
      expect(data.calendars.every((c) => c.href.startsWith(`/${user}/`))).toBe(true);
    }
  });

  it('a caller without credentials gets UNAUTHENTICATED, never another caller\'s data', async () => {
    const [anonymous, owner] = await Promise.all([
      graphql(gw, '{ calendars { href } }'),
      graphql<{ calendars: { href: string }[] }>(gw, '{ calendars { href } }', {}, { authorization: alice }),
    ]);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.data).toBeNull();
    expect(dataOf(owner).calendars.map((c) => c.href)).toContain(calendars[radicale.username]);
  });

  it('reads through executeOperation with the context of one caller', async () => {
    const client = new UpstreamClient({ name: 'radicale', url: radicale.url, auth: { mode: 'passthrough' }, limits: { ...DEFAULT_LIMITS } });
    const apollo = createApollo(loadConfig({}).graphql);
    await apollo.start();
    try {
      const contextValue = { backend: client, send: { authorization: bob }, concurrency: 8, log: gw.app.log } satisfies GraphQLContext;
      const res = await apollo.executeOperation({ query: 'query($h: String!) { calendar(href: $h) { displayName } }', variables: { h: calendars[SECOND_USER] } }, { contextValue });
      expect(res.body.kind === 'single' && res.body.singleResult.data).toEqual({ calendar: { displayName: `${SECOND_USER}'s` } });
      const denied = await apollo.executeOperation({ query: 'query($h: String!) { calendar(href: $h) { displayName } }', variables: { h: calendars[radicale.username] } }, { contextValue });
      expect(res.body.kind === 'single' && denied.body.kind === 'single' && denied.body.singleResult.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    } finally {
      await apollo.stop();
      await client.close();
    }
  });
});
