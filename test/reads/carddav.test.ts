/**
 * The CardDAV read layer against a real Radicale (started by jest's global setup). Every test
 * makes its own address books under /alice/ with unique names, so tests never share state.
 */
import { DavgateError } from '../../src/model/errors';
import { addressBookContacts, contactsMultiget, getAddressBook, listAddressBooks, type ContactData } from '../../src/reads/carddav';
import type { ReadContext } from '../../src/reads/read';
import type { UpstreamClient } from '../../src/upstream/client';
import { radicale, readContext } from './backend';
import { card, makeAddressBook, makeCalendar, getText, putAll } from './dav-data';

const VCF = 'text/vcard; charset=utf-8';
const NON_ASCII_FN = 'Jürgen Müller-Łukasiewicz 東京 🎉';

const { info, unique } = radicale();
let ctx: ReadContext;
let client: UpstreamClient;

beforeAll(() => {
  ({ ctx, client } = readContext(info));
});
afterAll(() => client.close());

const people = {
  'juergen.vcf': card('juergen@test', NON_ASCII_FN, 'Müller-Łukasiewicz', 'Jürgen', ['EMAIL;TYPE=WORK:j@example.org', 'TEL;TYPE=CELL:+49 30 1234']),
  'ann.vcf': card('ann@test', 'Ann Lee', 'Lee', 'Ann'),
  'bo.vcf': card('bo@test', 'Bo', 'Bo', ''),
};

/** A fresh address book under /alice/ holding `objects` (name → vCard text); returns its path. */
async function bookWith(objects: Record<string, string>): Promise<string> {
  const book = `/alice/${unique('book')}/`;
  await makeAddressBook(client, book, 'Friends', 'Zoë’s friends');
  await putAll(client, Object.fromEntries(Object.entries(objects).map(([name, vcf]) => [`${book}${name}`, vcf])), VCF);
  return book;
}

const names = (contacts: readonly ContactData[]): string[] => contacts.map((c) => c.href.slice(c.href.lastIndexOf('/') + 1)).sort();
const prop = (jcard: unknown, name: string): unknown => ((jcard as [string, unknown[][]])[1] ?? []).find((p) => p[0] === name);

describe('listAddressBooks / getAddressBook', () => {
  it('lists the address books of /alice/ with their properties, leaving out calendars', async () => {
    const book = await bookWith({});
    const cal = `/alice/${unique('cal')}/`;
    await makeCalendar(client, cal, { displayName: 'Not a book' });

    const books = await listAddressBooks(ctx, '/alice/');
    const hrefs = books.map((b) => b.href);
    expect(hrefs).toContain(book);
    expect(hrefs).not.toContain(cal);
    expect(hrefs).not.toContain('/alice/');
    const info = books.find((b) => b.href === book);
    expect(info).toMatchObject({ displayName: 'Friends', description: 'Zoë’s friends' });
    expect(info?.syncToken).toMatch(/^http:\/\/radicale\.org\/ns\/sync\/\w+$/);
    expect(info?.properties.find((p) => p.name === '{urn:ietf:params:xml:ns:carddav}addressbook-description')).toMatchObject({ status: 200, missing: false });
  });

  it('getAddressBook: the book, or null for a calendar and for an href that does not exist', async () => {
    const book = await bookWith({});
    const cal = `/alice/${unique('cal')}/`;
    await makeCalendar(client, cal);
    expect((await getAddressBook(ctx, book))?.displayName).toBe('Friends');
    expect(await getAddressBook(ctx, cal)).toBeNull();
    expect(await getAddressBook(ctx, `/alice/${unique('nothing')}/`)).toBeNull();
  });
});

describe('addressBookContacts (addressbook-query)', () => {
  it('returns every contact with its ETag, vCard byte for byte and jCard', async () => {
    const book = await bookWith(people);
    const contacts = await addressBookContacts(ctx, book);
    expect(names(contacts)).toEqual(['ann.vcf', 'bo.vcf', 'juergen.vcf']);
    const juergen = contacts.find((c) => c.href.endsWith('juergen.vcf'));
    expect(juergen?.etag).toMatch(/^".+"$/);
    expect(juergen?.vcard).toBe(await getText(client, `${book}juergen.vcf`));
    expect(juergen?.vcard).toContain(`\r\nFN:${NON_ASCII_FN}\r\n`);
    expect(juergen?.vcard).not.toMatch(/(?<!\r)\n/);
    expect(juergen?.parseError).toBeUndefined();
    expect(prop(juergen?.jcard, 'fn')).toEqual(['fn', {}, 'text', NON_ASCII_FN]);
    expect(prop(juergen?.jcard, 'n')).toEqual(['n', {}, 'text', ['Müller-Łukasiewicz', 'Jürgen', '', '', '']]);
    expect(prop(juergen?.jcard, 'email')).toEqual(['email', { type: 'WORK' }, 'text', 'j@example.org']);
  });

  it('an empty book has no contacts; a book that does not exist fails with NOT_FOUND', async () => {
    expect(await addressBookContacts(ctx, await bookWith({}))).toEqual([]);
    const error: unknown = await addressBookContacts(ctx, `/alice/${unique('nothing')}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DavgateError);
    expect((error as DavgateError).code).toBe('NOT_FOUND');
  });
});

describe('contactsMultiget', () => {
  it('returns the contacts asked for and reports the unknown href as missing (404)', async () => {
    const book = await bookWith(people);
    const unknown = `${book}${unique('nobody')}.vcf`;
    const result = await contactsMultiget(ctx, book, [`${book}juergen.vcf`, unknown, `${book}ann.vcf`]);
    expect(result.objects.map((c) => c.href)).toEqual([`${book}juergen.vcf`, `${book}ann.vcf`]);
    expect(prop(result.objects[0]?.jcard, 'fn')).toEqual(['fn', {}, 'text', NON_ASCII_FN]);
    expect(result.missing).toEqual([{ href: unknown, status: 404, code: 'NOT_FOUND' }]);
    expect(result.truncated).toBe(false);
  });

  it('asks one href per REPORT with chunkSize 1 and still returns them all', async () => {
    const book = await bookWith(people);
    const hrefs = Object.keys(people).map((name) => `${book}${name}`);
    const result = await contactsMultiget(ctx, book, hrefs, { chunkSize: 1 });
    expect(result.objects.map((c) => c.href)).toEqual(hrefs);
    expect(result.missing).toEqual([]);
  });
});
