'use strict';
/**
 * One measurement of the multistatus bench, in its own process (forked by multistatus.js) so
 * that its peak RSS is its own and no run pollutes another's heap or JIT state.
 *
 *   node --expose-gc bench/multistatus-child.js <task> <n> <documentFile> <port> [planJson]
 *
 * Reads the document bytes from the file the parent wrote, warms up on a 1k document, times
 * the task, checks what it must, and sends { task, n, samples, ... } to the parent.
 * Every in-process task takes the same Buffer and decodes it to text inside its timing.
 */

const fs = require('node:fs');
const path = require('node:path');
const { TextDecoder } = require('node:util');
const { generate, COLLECTION, NS } = require('./generate.js');
const { measure, repetitionPlan, childPlan } = require('./common.js');

const davgate = require(path.join(__dirname, '..', 'dist', 'index.js'));

const LIMITS = { maxBytes: 1024 * 1024 * 1024 };
const CALENDAR_DATA = `{${NS.CALDAV}}calendar-data`;
const WARM_HEADER = 'x-bench-doc';
const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n' +
  `<d:propfind xmlns:d="DAV:" xmlns:c="${NS.CALDAV}"><d:prop>` +
  '<d:getetag/><d:getcontenttype/><d:getlastmodified/><d:resourcetype/><d:displayname/><c:calendar-data/>' +
  `<cs:getctag xmlns:cs="${NS.CS}"/><ical:calendar-color xmlns:ical="${NS.ICAL}"/>` +
  '</d:prop></d:propfind>';

class CheckFailed extends Error {
  name = 'CheckFailed';
}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function parseToResults(bytes) {
  return davgate.toResults(davgate.parseMultiStatus(bytes, LIMITS).responses, 'PROPFIND');
}

function buildString(ms) {
  const parts = [];
  for (const chunk of davgate.buildMultiStatusChunks(ms)) parts.push(chunk);
  return parts.join('');
}

function stubResponse(bytes) {
  return new globalThis.Response(bytes, { status: 207, statusText: 'Multi-Status', headers: { 'content-type': 'application/xml; charset=utf-8' } });
}

/** Checks davgate's results against what the generator wrote (count, ETags kept as strings, the 404 propstats). */
function checkResults(results, n, expected) {
  check(results.length === n, `davgate returned ${results.length} results for ${n} responses`);
  check(results[0].href === COLLECTION && results[0].kind === 'Success', 'the collection is not the first Success result');
  for (let i = 1; i < n; i++) {
    const r = results[i];
    const e = expected[i - 1];
    check(r.href === e.href, `result ${i}: href ${r.href} !== ${e.href}`);
    check(r.kind === 'Success' && r.status === 200, `result ${i}: ${r.kind} ${r.status}, expected Success 200`);
    check(r.etag === e.etag, `result ${i}: etag ${JSON.stringify(r.etag)} !== ${JSON.stringify(e.etag)}`);
    check(r.propstats.length === 2, `result ${i}: ${r.propstats.length} propstats, expected 2`);
    const missing = r.propstats[1];
    check(missing.status.code === 404 && missing.props.has(e.missing), `result ${i}: the 404 propstat for ${e.missing} is gone`);
  }
}

/** Every calendar-data value must equal the generated ICS text byte for byte, CRs included. */
function checkCalendarData(ms, expected, stage) {
  const responses = ms.responses;
  check(responses.length === expected.length + 1, `${stage}: ${responses.length} responses, expected ${expected.length + 1}`);
  let cdata = 0;
  let escaped = 0;
  for (let i = 1; i < responses.length; i++) {
    const e = expected[i - 1];
    const response = responses[i];
    check(response.kind === 'propstat' && response.href === e.href, `${stage}: response ${i} is not the propstat response for ${e.href}`);
    const value = response.propstats[0].props.get(CALENDAR_DATA);
    check(value !== undefined, `${stage}: response ${i} lost its calendar-data`);
    if (value.value !== e.ics) {
      const got = String(value.value);
      let at = 0;
      while (at < got.length && got[at] === e.ics[at]) at++;
      throw new CheckFailed(
        `${stage}: calendar-data of response ${i} (${e.cdata ? 'CDATA' : '&#13;-escaped'}) differs at char ${at}: ` +
          `${JSON.stringify(got.slice(at, at + 20))} vs ${JSON.stringify(e.ics.slice(at, at + 20))}`,
      );
    }
    const missing = response.propstats[1];
    check(missing !== undefined && missing.status.code === 404 && missing.props.has(e.missing), `${stage}: response ${i} lost its 404 propstat`);
    if (e.cdata) cdata++;
    else escaped++;
  }
  return { cdata, escaped };
}

async function loadWebdav() {
  return import('webdav');
}

/** Each task: setup(ctx) -> { run, warm, after? }. `run` and `warm` may return promises. */
const TASKS = {
  async 'davgate-parse'({ bytes, warmBytes, n }) {
    return {
      run: () => parseToResults(bytes),
      warm: () => parseToResults(warmBytes),
      after(results) {
        checkResults(results, n, generate(n, { withExpected: true }).expected);
        return { items: results.length, checks: 'count, hrefs, etags as strings, 404 propstats' };
      },
    };
  },

  async 'davgate-build'({ bytes, warmBytes, n }) {
    const ms = davgate.parseMultiStatus(bytes, LIMITS);
    const warmMs = davgate.parseMultiStatus(warmBytes, LIMITS);
    return {
      run: () => buildString(ms),
      warm: () => buildString(warmMs),
      after(out) {
        const expected = generate(n, { withExpected: true }).expected;
        const before = checkCalendarData(ms, expected, 'parse');
        const outBytes = Buffer.from(out, 'utf8');
        const again = davgate.parseMultiStatus(outBytes, LIMITS);
        const after = checkCalendarData(again, expected, 'parse -> build -> parse');
        check(!/\r/.test(out), 'the built document holds a raw CR (a reader would turn it into LF)');
        const results = davgate.toResults(again.responses, 'PROPFIND');
        checkResults(results, n, expected);
        return {
          items: ms.responses.length,
          outBytes: outBytes.length,
          checks: `CRLF round trip byte for byte: ${after.cdata} CDATA + ${after.escaped} &#13;-escaped calendar-data (first parse: ${before.cdata} + ${before.escaped}); 404 propstats kept`,
        };
      },
    };
  },

  async 'fxp-default'({ bytes, warmBytes }) {
    const { XMLParser } = require('fast-xml-parser');
    // Default options; the parser decodes the Buffer itself (Buffer#toString, UTF-8).
    const parser = new XMLParser();
    return {
      run: () => parser.parse(bytes),
      warm: () => parser.parse(warmBytes),
      after(doc) {
        const responses = doc?.['d:multistatus']?.['d:response'];
        const plain = doc?.['d:multistatus']?.response;
        const count = (Array.isArray(responses) ? responses.length : 0) + (Array.isArray(plain) ? plain.length : 0);
        return { items: count, note: 'responses under d:response + response keys (prefixes unresolved)' };
      },
    };
  },

  async 'webdav-parsexml'({ bytes, warmBytes }) {
    const { parseXML } = await loadWebdav();
    // The exported parser with the context createClient() builds (displayname tag parser included).
    const { displaynameTagParser } = await import('webdav/dist/node/tools/dav.js');
    const context = { attributeNamePrefix: '@', attributeParsers: [], tagParsers: [displaynameTagParser] };
    const decoder = new TextDecoder();
    return {
      run: () => parseXML(decoder.decode(bytes), context),
      warm: () => parseXML(decoder.decode(warmBytes), context),
      after(result) {
        return { items: result.multistatus.response.length };
      },
    };
  },

  async 'webdav-listing'({ bytes, warmBytes, n }) {
    const { createClient, getPatcher } = await loadWebdav();
    let current = warmBytes;
    // The library's own listing path, with its fetch replaced by an in-memory 207 (no socket).
    getPatcher().patch('fetch', () => Promise.resolve(stubResponse(current)));
    const client = createClient('http://127.0.0.1:1');
    const list = () => client.getDirectoryContents(COLLECTION, { details: true });
    return {
      run: () => {
        current = bytes;
        return list();
      },
      warm: list,
      after(result) {
        return { items: result.data.length, note: n - 1 === result.data.length ? 'the collection itself is filtered out' : undefined };
      },
    };
  },

  async 'tsdav-davrequest'({ bytes, warmBytes }) {
    const { davRequest } = require('tsdav');
    let current = warmBytes;
    const fetchStub = () => Promise.resolve(stubResponse(current));
    const request = () =>
      davRequest({
        url: `http://127.0.0.1:1${COLLECTION}`,
        init: tsdavInit(),
        fetch: fetchStub,
      });
    return {
      run: () => {
        current = bytes;
        return request();
      },
      warm: request,
      after(result) {
        return { items: result.length };
      },
    };
  },

  async 'http-transport-undici'({ port }) {
    const get = (warm) => propfindFetch(port, warm).then((res) => res.arrayBuffer());
    return { run: () => get(false), warm: () => get(true), after: (buf) => ({ receivedBytes: buf.byteLength }) };
  },

  async 'http-transport-node-fetch'({ port }) {
    const { default: nodeFetch } = await import('node-fetch');
    const get = (warm) =>
      nodeFetch(`http://127.0.0.1:${port}${COLLECTION}`, {
        method: 'PROPFIND',
        headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8', ...(warm ? { [WARM_HEADER]: 'warm' } : {}) },
        body: PROPFIND_BODY,
      }).then((res) => res.arrayBuffer());
    return { run: () => get(false), warm: () => get(true), after: (buf) => ({ receivedBytes: buf.byteLength }) };
  },

  async 'http-davgate'({ port, n }) {
    const get = async (warm) => {
      const res = await propfindFetch(port, warm);
      return parseToResults(new Uint8Array(await res.arrayBuffer()));
    };
    return {
      run: () => get(false),
      warm: () => get(true),
      after(results) {
        check(results.length === n, `davgate over HTTP returned ${results.length} results for ${n} responses`);
        return { items: results.length };
      },
    };
  },

  async 'http-webdav'({ port }) {
    const { createClient } = await loadWebdav();
    const client = createClient(`http://127.0.0.1:${port}`);
    const warmClient = createClient(`http://127.0.0.1:${port}`, { headers: { [WARM_HEADER]: 'warm' } });
    return {
      run: () => client.getDirectoryContents(COLLECTION, { details: true }),
      warm: () => warmClient.getDirectoryContents(COLLECTION, { details: true }),
      after: (result) => ({ items: result.data.length }),
    };
  },

  async 'http-tsdav'({ port }) {
    const { davRequest } = require('tsdav');
    const request = (warm) =>
      davRequest({ url: `http://127.0.0.1:${port}${COLLECTION}`, init: tsdavInit(warm ? { [WARM_HEADER]: 'warm' } : {}) });
    return { run: () => request(false), warm: () => request(true), after: (result) => ({ items: result.length }) };
  },
};

/** What tsdav's own propfind() hands davRequest for a calendar listing. */
function tsdavInit(extraHeaders = {}) {
  return {
    method: 'PROPFIND',
    headers: { depth: '1', ...extraHeaders },
    namespace: 'd',
    body: {
      propfind: {
        _attributes: { 'xmlns:d': 'DAV:', 'xmlns:c': NS.CALDAV, 'xmlns:cs': NS.CS, 'xmlns:ca': NS.ICAL },
        prop: {
          'd:getetag': {},
          'd:getcontenttype': {},
          'd:getlastmodified': {},
          'd:resourcetype': {},
          'd:displayname': {},
          'c:calendar-data': {},
          'cs:getctag': {},
          'ca:calendar-color': {},
        },
      },
    },
  };
}

function propfindFetch(port, warm) {
  return globalThis.fetch(`http://127.0.0.1:${port}${COLLECTION}`, {
    method: 'PROPFIND',
    headers: { Depth: '1', 'Content-Type': 'application/xml; charset=utf-8', ...(warm ? { [WARM_HEADER]: 'warm' } : {}) },
    body: PROPFIND_BODY,
  });
}

async function main() {
  const [task, nArg, file, portArg, planArg] = process.argv.slice(2);
  const setup = TASKS[task];
  if (setup === undefined) throw new Error(`unknown task ${task}; known: ${Object.keys(TASKS).join(', ')}`);
  const n = Number(nArg);
  const bytes = fs.readFileSync(file);
  const warmBytes = n <= 1000 ? bytes : generate(1000).bytes;
  const { run, warm, after } = await setup({ bytes, warmBytes, n, port: Number(portArg) });
  const plan = planArg ? JSON.parse(planArg) : childPlan(repetitionPlan(n));
  const { samples, last } = await measure(run, warm, plan);
  // The peak of the measurement, before the checks allocate their own copies.
  const maxRssKB = process.resourceUsage().maxRSS;
  const info = after === undefined ? {} : after(last);
  return { task, n, docBytes: bytes.length, samples, maxRssKB, ...info };
}

module.exports = { TASKS, WARM_HEADER };

if (require.main === module) {
  main().then(
    (result) => {
      if (process.send) process.send({ ok: true, result }, () => process.exit(0));
      else {
        console.log(JSON.stringify(result));
        process.exit(0);
      }
    },
    (error) => {
      const failure = { ok: false, check: error instanceof CheckFailed, message: error instanceof Error ? error.stack ?? error.message : String(error) };
      if (process.send) process.send(failure, () => process.exit(1));
      else {
        console.error(failure.message);
        process.exit(1);
      }
    },
  );
}
