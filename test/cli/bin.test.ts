import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../helpers/fixtures';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'davgate.js');

/** The installed command, as a user runs it: the compiled CLI behind bin/davgate.js (npm test builds it first). */
describe('bin/davgate.js', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)');
  });

  const davgate = (args: string[], input: Buffer | string) => spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });

  it('converts a recorded Radicale multiget to JSON with exit status 0, keeping its CR LF', () => {
    const { status, stdout, stderr } = davgate(['convert', '--to', 'json', '--method', 'REPORT'], fixture('servers', 'radicale-calendar-multiget-missing').body);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    const json = JSON.parse(stdout) as { responses: { kind: string; propstats?: { props: Record<string, unknown> }[] }[] };
    expect(json.responses[0]?.kind).toBe('Error');
    expect(String(json.responses[1]?.propstats?.[0]?.props['{urn:ietf:params:xml:ns:caldav}calendar-data'])).toContain('BEGIN:VCALENDAR\r\n');
  });

  it('exits 1 with one line on stderr for bad input', () => {
    const { status, stdout, stderr } = davgate(['convert', '--to', 'json'], '<d:multistatus xmlns:d="DAV:"><d:response>');
    expect({ status, stdout }).toEqual({ status: 1, stdout: '' });
    expect(stderr).toMatch(/^davgate: XML_TRUNCATED at line 1, column \d+: [^\n]+\n$/);
  });
});
