import { basicCredentials, testServers } from '../servers';
import { testGateway, unique, type TestGateway } from '../rest/gateway';
import { dataOf, graphql } from './client';

interface Prop { name: string; status: number | null; missing: boolean; text: string | null }
interface ResourceData { href: string; type: string; displayName: string | null; contentLength: number | null; missing: string[]; properties: Prop[]; author: Prop | null; nothing: Prop | null; never: Prop | null }

const RESOURCE = `href type displayName contentLength missing properties { name status missing text }
  author: property(name: "{urn:x}author") { name status missing text } nothing: property(name: "{urn:x}unasked") { name } never: property(name: "{urn:x}never") { status missing }`;

/** Reads through the GraphQL face against Apache mod_dav: properties with their own statuses, listings. */
describe('GraphQL reads against Apache mod_dav', () => {
  const apache = testServers().apache;
  let gw: TestGateway;
  let base: string;

  beforeAll(() => {
    gw = testGateway(apache.url, basicCredentials(apache));
  });
  afterAll(() => gw.close());
  beforeEach(async () => {
    base = `${new URL(apache.url).pathname}${unique('r')}/`;
    const setup = await gw.batch([
      { method: 'MKCOL', href: base },
      { method: 'MKCOL', href: `${base}sub/` },
      { method: 'PUT', href: `${base}a.txt`, body: 'hello', contentType: 'text/plain' },
      { method: 'PROPPATCH', href: `${base}a.txt`, set: { '{urn:x}author': 'Ann', '{DAV:}displayname': 'Plan A' } },
    ]);
    expect(setup.responses.map((r) => r.kind)).toEqual(['Created', 'Created', 'Created', 'Success']);
  });

  it('keeps each property\'s status: one that came back 404 is missing, not null-and-fine', async () => {
    const answer = await graphql<{ resource: ResourceData }>(gw, `query($href: String!, $props: [String!]) { resource(href: $href, properties: $props) { ${RESOURCE} } }`, {
      href: `${base}a.txt`,
      props: ['{urn:x}author', '{DAV:}displayname', '{DAV:}getcontentlength', '{urn:x}never'],
    });
    const resource = dataOf(answer).resource;
    expect(resource).toMatchObject({ type: 'FILE', displayName: 'Plan A', contentLength: 5, missing: ['{urn:x}never'] });
    expect(resource.author).toEqual({ name: '{urn:x}author', status: 200, missing: false, text: 'Ann' });
    expect(resource.properties.find((p) => p.name === '{urn:x}never')).toEqual({ name: '{urn:x}never', status: 404, missing: true, text: null });
    expect(resource.never).toEqual({ status: 404, missing: true });
    expect(resource.nothing).toBeNull();
  });

  it('lists a collection at depth 1 with each member typed', async () => {
    const answer = await graphql<{ listing: { href: string; self: { type: string } | null; members: { href: string; type: string }[] } }>(
      gw, 'query($href: String!) { listing(href: $href) { href self { type } members { href type } } }', { href: base });
    const listing = dataOf(answer).listing;
    expect(listing.self).toEqual({ type: 'COLLECTION' });
    expect(listing.members.map((m) => `${m.href} ${m.type}`).sort()).toEqual([`${base}a.txt FILE`, `${base}sub/ COLLECTION`]);
    const shallow = dataOf(await graphql<{ listing: { members: unknown[] } }>(gw, 'query($href: String!) { listing(href: $href, depth: ZERO) { members { href } } }', { href: base }));
    expect(shallow.listing.members).toEqual([]);
  });

  it('fails a read of a missing resource as a whole with NOT_FOUND', async () => {
    const answer = await graphql(gw, 'query($href: String!) { resource(href: $href) { href } }', { href: `${base}none.txt` });
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' }, path: ['resource'] });
    expect(answer.body).not.toContain(apache.password);
  });
});
