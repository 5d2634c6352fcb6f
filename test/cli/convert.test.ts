import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { fixture } from '../helpers/fixtures';

/** Runs `davgate <args>` in-process with `input` on stdin. */
async function run(args: string[], input: string | Buffer = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(args, { stdin: Readable.from([Buffer.from(input)]), stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

describe('davgate convert', () => {
  const apache = fixture('servers', 'apache-proppatch-protected');

  it('--to json prints the canonical JSON of a multistatus', async () => {
    const { code, stdout, stderr } = await run(['convert', '--to', 'json', '--method', 'PROPPATCH'], apache.body);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const json = JSON.parse(stdout) as { responses: { href: string; kind: string; status: number }[] };
    expect(json.responses.map((r) => [r.href, r.kind, r.status])).toEqual([['/dav/coll/a.txt', 'Error', 409]]);
  });

  it('the method decides how propstats classify; PROPFIND is the default', async () => {
    const body = '<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href><d:propstat><d:prop><d:x/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><d:y/></d:prop><d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat></d:response></d:multistatus>';
    const kind = async (args: string[]) => (JSON.parse((await run(['convert', '--to', 'json', ...args], body)).stdout) as { responses: { kind: string }[] }).responses[0]?.kind;
    expect(await kind([])).toBe('Success');
    expect(await kind(['--method', 'proppatch'])).toBe('Error');
  });

  it('--to xml turns that JSON back into an equivalent multistatus', async () => {
    const json = (await run(['convert', '--to', 'json', '--compact'], apache.body)).stdout;
    expect(json.trim().split('\n')).toHaveLength(1);
    const xml = await run(['convert', '--to', 'xml'], json);
    expect(xml.code).toBe(0);
    expect(xml.stdout).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><D:multistatus xmlns:D="DAV:"/);
    expect((await run(['convert', '--to', 'json', '--compact'], xml.stdout)).stdout).toBe(json);
  });

  it.each([
    ['truncated XML', ['--to', 'json'], '<d:multistatus xmlns:d="DAV:">\n<d:response>', /^davgate: XML_TRUNCATED at line 2, column \d+: .+\n$/],
    ['a DOCTYPE', ['--to', 'json'], '<!DOCTYPE x><d:multistatus xmlns:d="DAV:"/>', /^davgate: XML_DOCTYPE_FORBIDDEN at line 1, column 1: .+\n$/],
    ['a body over --max-bytes', ['--to', 'json', '--max-bytes', '10'], '<d:multistatus xmlns:d="DAV:"/>', /^davgate: BODY_TOO_LARGE: .+\n$/],
    ['malformed JSON', ['--to', 'xml'], '{"responses": [', /^davgate: JSON_MALFORMED: .+\n$/],
    ['JSON of the wrong shape', ['--to', 'xml'], '{"responses": [{"href": 5}]}', /^davgate: JSON_INVALID at responses\[0\]\.href: .+\n$/],
    ['a value XML cannot carry', ['--to', 'xml'], '{"responses": [{"href": "/a\\u0000", "status": 200}]}', /^davgate: XML_UNREPRESENTABLE: .+\n$/],
  ])('refuses %s: exit 1, one line on stderr with the code and where, nothing on stdout', async (_what, args, input, line) => {
    const { code, stdout, stderr } = await run(['convert', ...args], input);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(line);
  });

  it.each([
    [['convert'], /--to json or --to xml/],
    [['convert', '--to', 'yaml'], /--to json or --to xml/],
    [['convert', '--to', 'json', '--bogus'], /bogus/],
    [['convert', '--to', 'json', '--max-bytes', '-3'], /--max-bytes/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('prints help', async () => {
    expect(await run(['convert', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: davgate convert') });
    expect(await run(['help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('convert') });
  });
});
