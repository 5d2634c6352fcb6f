/**
 * The chunked multiget (src/reads/multiget.ts) against server faults Radicale cannot be made to
 * produce: Zoho's silent truncation (QUIRKS.md 9), old sabre/dav's whole-request 404 for one
 * unknown href (QUIRKS.md 8), odd href spellings and per-href statuses. Radicale answers every
 * multiget correctly, so these use a stub ReadBackend returning canned 207s; the behaviour
 * against Radicale itself is in caldav.test.ts and carddav.test.ts.
 */
import { errorOf } from '../upstream/stub';
import { calendarMultiget } from '../../src/reads/caldav';
import { contactsMultiget } from '../../src/reads/carddav';
import { ics, multistatus, objectResponse, statusResponse, stubBackend } from './stub-backend';

const CAL = '/dav/cal/';
const hrefs = (n: number): string[] => Array.from({ length: n }, (_, i) => `${CAL}e${i}.ics`);
const everything = (asked: string[]) => ({ status: 207, body: multistatus(...asked.map((h) => objectResponse(h, `"${h}"`, ics(h)))) });

describe('multiget: hrefs the server never mentions (QUIRKS.md 9, Zoho)', () => {
  it('reports them as NOT_RETURNED with status null and sets truncated', async () => {
    // Like Zoho's first 1,000 of 1,971: only the first two hrefs of each request come back.
    const stub = stubBackend((_, asked) => everything(asked.slice(0, 2)));
    const asked = hrefs(5);
    const result = await calendarMultiget(stub.ctx, CAL, asked, { chunkSize: 3 });
    expect(result.objects.map((o) => o.href)).toEqual([asked[0], asked[1], asked[3], asked[4]]);
    expect(result.missing).toEqual([{ href: asked[2], status: null, code: 'NOT_RETURNED' }]);
    expect(result.truncated).toBe(true);
  });

  it('is not truncated when every href is answered, even with an error status', async () => {
    const stub = stubBackend((_, asked) => ({ status: 207, body: multistatus(...asked.map((h) => statusResponse(h, 'HTTP/1.1 404 Not Found'))) }));
    const result = await calendarMultiget(stub.ctx, CAL, hrefs(3));
    expect(result.objects).toEqual([]);
    expect(result.missing.map((m) => [m.status, m.code])).toEqual([[404, 'NOT_FOUND'], [404, 'NOT_FOUND'], [404, 'NOT_FOUND']]);
    expect(result.truncated).toBe(false);
  });
});

describe('multiget: a whole-request 404 for one unknown href (QUIRKS.md 8, old sabre/dav)', () => {
  const unknown = `${CAL}e5.ics`;
  const oldSabre = (request: { method: string }, asked: string[]) => {
    if (request.method === 'PROPFIND') return { status: 207, body: multistatus(statusResponse(CAL, 'HTTP/1.1 200 OK')) };
    return asked.includes(unknown) ? { status: 404, body: '<h1>Not Found</h1>' } : everything(asked);
  };

  it('halves the chunk until the unknown href stands alone, so every known object still comes back', async () => {
    const stub = stubBackend(oldSabre);
    const asked = hrefs(8);
    const result = await calendarMultiget(stub.ctx, CAL, asked);
    expect(result.objects.map((o) => o.href)).toEqual(asked.filter((h) => h !== unknown));
    expect(result.missing).toEqual([{ href: unknown, status: 404, code: 'NOT_FOUND' }]);
    expect(result.truncated).toBe(false);
    // 8 → 4 + 4 → 2 + 2 → 1 + 1: seven REPORTs, and the collection checked once.
    expect(stub.requests.filter((r) => r.method === 'REPORT')).toHaveLength(7);
    expect(stub.requests.filter((r) => r.method === 'PROPFIND')).toHaveLength(1);
  });

  it('fails the whole call with NOT_FOUND when the collection itself is gone, after one check', async () => {
    const stub = stubBackend(() => ({ status: 404 }));
    expect((await errorOf(calendarMultiget(stub.ctx, CAL, hrefs(8)))).code).toBe('NOT_FOUND');
    expect(stub.requests.map((r) => r.method)).toEqual(['REPORT', 'PROPFIND']);
  });

  it('does not retry other whole-request failures', async () => {
    const stub = stubBackend(() => ({ status: 403 }));
    expect((await errorOf(calendarMultiget(stub.ctx, CAL, hrefs(4), { chunkSize: 2 }))).code).toBe('FORBIDDEN');
    expect(stub.requests.length).toBeLessThanOrEqual(2);
  });
});

describe('multiget: matching the answer to the hrefs asked', () => {
  it('matches any spelling of an href (QUIRKS.md 16) and keeps the server’s spelling on the object', async () => {
    const stub = stubBackend(() => ({
      status: 207,
      body: multistatus(
        objectResponse('http://dav.test/dav/cal/a%20b.ics', '"1"', ics('ab')),
        objectResponse('/dav/cal/%5B1%5D.ics', '"2"', ics('one')),
      ),
    }));
    const result = await calendarMultiget(stub.ctx, CAL, [`${CAL}a b.ics`, `${CAL}%5b1%5d.ics`]);
    expect(result.objects.map((o) => o.href)).toEqual(['http://dav.test/dav/cal/a%20b.ics', '/dav/cal/%5B1%5D.ics']);
    expect(result.missing).toEqual([]);
  });

  it('asks for each resource once, with resolved paths in the body and no Depth header (RFC 4791 §7.9)', async () => {
    const stub = stubBackend((_, asked) => everything(asked));
    const result = await calendarMultiget(stub.ctx, 'cal/', ['cal/a.ics', `${CAL}a.ics`, 'http://dav.test/dav/cal/a.ics', `${CAL}b.ics`]);
    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    expect(request).toMatchObject({ method: 'REPORT', path: CAL });
    expect(Object.keys(request?.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('depth');
    expect(String(request?.body).match(/<D:href>[^<]*<\/D:href>/g)).toEqual([`<D:href>${CAL}a.ics</D:href>`, `<D:href>${CAL}b.ics</D:href>`]);
    expect(result.objects.map((o) => o.href)).toEqual([`${CAL}a.ics`, `${CAL}b.ics`]);
  });

  it('reports per-href statuses with stable codes, several hrefs in one response each, and keeps objects byte-exact', async () => {
    const body = multistatus(
      statusResponse([`${CAL}gone.ics`, `${CAL}also-gone.ics`], 'HTTP/1.1 404 Not Found'),
      `<response><href>${CAL}nodata.ics</href><propstat><prop><getetag>"n"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat>` +
        `<propstat><prop><C:calendar-data/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>`,
      statusResponse(`${CAL}secret.ics`, 'HTTP/1.1 403 Forbidden'),
      statusResponse(`${CAL}busy.ics`, 'HTTP/1.1 503 Service Unavailable'),
      // QUIRKS.md 18, 19: an ETag that looks like a number, and CRs written as &#13;.
      objectResponse(`${CAL}ok.ics`, '0123', ics('ok').replace(/\r/g, '&#13;')),
    );
    const stub = stubBackend(() => ({ status: 207, body }));
    const asked = ['gone', 'also-gone', 'nodata', 'secret', 'busy', 'ok'].map((n) => `${CAL}${n}.ics`);
    const result = await calendarMultiget(stub.ctx, CAL, asked);
    expect(result.missing.map((m) => [m.href, m.status, m.code])).toEqual([
      [`${CAL}gone.ics`, 404, 'NOT_FOUND'],
      [`${CAL}also-gone.ics`, 404, 'NOT_FOUND'],
      [`${CAL}nodata.ics`, 404, 'NOT_FOUND'],
      [`${CAL}secret.ics`, 403, 'FORBIDDEN'],
      [`${CAL}busy.ics`, 503, 'UNAVAILABLE'],
    ]);
    expect(result.objects).toEqual([expect.objectContaining({ href: `${CAL}ok.ics`, etag: '0123', ics: ics('ok') })]);
  });

  it('keeps an object nobody asked for but drops the collection itself, which has no data', async () => {
    const stub = stubBackend(() => ({
      status: 207,
      body: multistatus(
        `<response><href>${CAL}</href><propstat><prop><getetag>"c"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>`,
        objectResponse(`${CAL}a.ics`, '"a"', ics('a')),
        objectResponse('/dav/elsewhere/x.ics', '"x"', ics('x')),
      ),
    }));
    const result = await calendarMultiget(stub.ctx, CAL, [`${CAL}a.ics`]);
    expect(result.objects.map((o) => o.href)).toEqual([`${CAL}a.ics`, '/dav/elsewhere/x.ics']);
    expect(result.missing).toEqual([]);
  });

  it('gives unreadable data null jCal with the parse error, and still returns the text', async () => {
    const stub = stubBackend(() => ({ status: 207, body: multistatus(objectResponse(`${CAL}bad.ics`, '"b"', 'not iCalendar at all')) }));
    const [bad] = (await calendarMultiget(stub.ctx, CAL, [`${CAL}bad.ics`])).objects;
    expect(bad).toMatchObject({ ics: 'not iCalendar at all', jcal: null, parseError: expect.stringContaining('invalid line') });
  });

  it('works the same for address books (addressbook-multiget, RFC 6352 §8.7)', async () => {
    const vcard = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nFN:Zoë\r\nEND:VCARD\r\n';
    const stub = stubBackend(() => ({ status: 207, body: multistatus(objectResponse('/dav/book/z.vcf', '"z"', vcard, 'CR:address-data')) }));
    const result = await contactsMultiget(stub.ctx, '/dav/book/', ['/dav/book/z.vcf', '/dav/book/y.vcf']);
    expect(String(stub.requests[0]?.body)).toContain('<CR:addressbook-multiget');
    expect(result.objects).toEqual([{ href: '/dav/book/z.vcf', etag: '"z"', vcard, jcard: ['vcard', [['version', {}, 'text', '3.0'], ['uid', {}, 'text', 'x'], ['fn', {}, 'text', 'Zoë']]] }]);
    expect(result).toMatchObject({ missing: [{ href: '/dav/book/y.vcf', status: null, code: 'NOT_RETURNED' }], truncated: true });
  });
});

describe('multiget: chunks and limits', () => {
  it('keeps at most three REPORTs in flight and returns the objects in the order asked', async () => {
    const stub = stubBackend((_, asked) => everything(asked), 5);
    let inFlight = 0;
    let most = 0;
    const inner = stub.ctx.backend;
    const backend = {
      ...inner,
      send: async (...args: Parameters<typeof inner.send>) => {
        most = Math.max(most, ++inFlight);
        try {
          return await inner.send(...args);
        } finally {
          inFlight--;
        }
      },
    };
    const asked = hrefs(10);
    const result = await calendarMultiget({ backend, options: {} }, CAL, asked, { chunkSize: 1 });
    expect(result.objects.map((o) => o.href)).toEqual(asked);
    expect(stub.requests).toHaveLength(10);
    expect(most).toBe(3);
  });

  it('refuses a bad chunk size or an href outside the backend before sending anything', async () => {
    const stub = stubBackend((_, asked) => everything(asked));
    for (const chunkSize of [0, 1.5, 1001, Number.NaN]) {
      expect((await errorOf(calendarMultiget(stub.ctx, CAL, hrefs(2), { chunkSize }))).code).toBe('INPUT_INVALID');
    }
    expect((await errorOf(calendarMultiget(stub.ctx, CAL, [`${CAL}a.ics`, '/etc/passwd']))).code).toBe('HREF_OUTSIDE_ROOT');
    expect((await errorOf(calendarMultiget(stub.ctx, CAL, ['http://evil.example/dav/cal/a.ics']))).code).toBe('HREF_OUTSIDE_ROOT');
    expect(stub.requests).toHaveLength(0);
  });

  it('sends nothing for an empty list', async () => {
    const stub = stubBackend((_, asked) => everything(asked));
    expect(await calendarMultiget(stub.ctx, CAL, [])).toEqual({ objects: [], missing: [], truncated: false });
    expect(stub.requests).toHaveLength(0);
  });
});
