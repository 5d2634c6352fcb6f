import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_KEYS, ENVIRONMENT, loadConfig, namedVariable } from '../../src/config';
import { DEFAULT_LIMITS } from '../../src/upstream/backend';
import { UpstreamClient } from '../../src/upstream/client';
import { BackendRouter } from '../../src/router';
import { SERVE_HELP } from '../../src/cli/serve';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'davgate-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const TWO_BACKENDS = `
port: 4100
logLevel: warn
shutdownGraceMs: 2500
graphql:
  maxDepth: 7
defaultBackend: calendars
backends:
  files:
    url: http://127.0.0.1:8080/dav/
    auth: { username: alice, password: from-file }
    limits:
      connections: 4
      maxQueued: 10
  calendars:
    url: http://127.0.0.1:5232/
    prefix: /alice/
    auth: { token: abc.def }
`;

describe('the configuration file', () => {
  it('reads backends, their auth and limits from YAML, over the defaults', () => {
    const config = loadConfig({ DAVGATE_CONFIG: file('two.yaml', TWO_BACKENDS) });
    expect(config).toMatchObject({ port: 4100, logLevel: 'warn', shutdownGraceMs: 2500, host: '127.0.0.1', defaultBackend: 'calendars' });
    expect(config.graphql.maxDepth).toBe(7);
    expect(config.graphql.maxAliases).toBe(15);
    expect(config.backends).toEqual([
      { name: 'files', url: 'http://127.0.0.1:8080/dav/', prefix: undefined, auth: { mode: 'basic', username: 'alice', password: 'from-file' }, limits: { ...DEFAULT_LIMITS, connections: 4, maxQueued: 10 } },
      { name: 'calendars', url: 'http://127.0.0.1:5232/', prefix: '/alice/', auth: { mode: 'bearer', token: 'abc.def' }, limits: DEFAULT_LIMITS },
    ]);
  });

  it('reads the same from JSON', () => {
    const json = { backends: { files: { url: 'http://127.0.0.1:8080/dav/', limits: { retries: 0 } } } };
    const config = loadConfig({ DAVGATE_CONFIG: file('one.json', JSON.stringify(json)) });
    expect(config.defaultBackend).toBe('files');
    expect(config.backends).toEqual([{ name: 'files', url: 'http://127.0.0.1:8080/dav/', prefix: undefined, auth: { mode: 'passthrough' }, limits: { ...DEFAULT_LIMITS, retries: 0 } }]);
  });

  it('lets variables override the file: plain ones for the default backend, named ones for any', () => {
    const config = loadConfig({
      DAVGATE_CONFIG: file('two.yaml', TWO_BACKENDS),
      DAVGATE_PORT: '4200',
      DAVGATE_GRAPHQL_MAX_DEPTH: '3',
      DAVGATE_CONNECTIONS: '9', // the default backend: calendars
      DAVGATE_BACKENDS__FILES__PASSWORD: 'from-env',
      DAVGATE_BACKENDS__FILES__MAX_QUEUED: '0',
    });
    expect(config.port).toBe(4200);
    expect(config.graphql.maxDepth).toBe(3);
    const [files, calendars] = config.backends;
    expect(files?.auth).toEqual({ mode: 'basic', username: 'alice', password: 'from-env' });
    expect(files?.limits).toMatchObject({ connections: 4, maxQueued: 0 });
    expect(calendars?.limits.connections).toBe(9);
  });

  it('without a file, the variables make one backend, or the embedded store', () => {
    expect(loadConfig({}).backends).toEqual([{ name: 'embedded', url: undefined, prefix: undefined, auth: { mode: 'passthrough' }, limits: DEFAULT_LIMITS }]);
    const config = loadConfig({ DAVGATE_BACKEND_URL: 'http://127.0.0.1:1/x/', DAVGATE_MAX_QUEUED: '5', DAVGATE_BACKEND_PREFIX: '/x/y/' });
    expect(config.backends).toEqual([{ name: 'default', url: 'http://127.0.0.1:1/x/', prefix: '/x/y/', auth: { mode: 'passthrough' }, limits: { ...DEFAULT_LIMITS, maxQueued: 5 } }]);
  });

  it('keeps each prefix in the form hrefs are resolved to, which the router compares it with', () => {
    const config = loadConfig({ DAVGATE_CONFIG: file('forms.yaml', 'backends:\n  files: { url: "http://h/dav/" }\n  homes: { url: "http://h/dav/", prefix: "/dav/%7ealice/%2fx/" }\n') });
    expect(config.backends.map((b) => b.prefix)).toEqual([undefined, '/dav/%7Ealice/%2Fx/']);
    const client = new UpstreamClient({ name: 'homes', url: 'http://h/dav/', auth: { mode: 'passthrough' }, limits: DEFAULT_LIMITS });
    const other = new UpstreamClient({ name: 'files', url: 'http://h/dav/', auth: { mode: 'passthrough' }, limits: DEFAULT_LIMITS });
    const router = new BackendRouter(config.backends.map((b) => ({ name: b.name, prefix: b.prefix ?? '/dav/', backend: b.name === 'homes' ? client : other })), 'files');
    const backendOf = (href: string) => router.select(undefined, [{ href, label: href }]);
    // However the href spells the escapes, it reaches the backend whose prefix it is under.
    for (const href of ['/dav/%7ealice/%2fx/a.txt', '/dav/%7Ealice/%2Fx/a.txt', '/dav/%7ealice/%2fx/b/../a.txt']) expect(backendOf(href)).toBe(client);
    // Outside the prefix, however spelled: the default.
    for (const href of ['/dav/%7ealice/a.txt', '/dav/%7ealice/%2fx/../a.txt']) expect(backendOf(href)).toBe(other);
  });

  it.each([
    ['unknown.yaml', 'backends:\n  files:\n    url: http://h/dav/\n    limits:\n      conections: 3\n', {}, /unknown\.yaml: backends\.files\.limits\.conections: unknown key \(known here: .*connections/],
    ['top.yaml', 'prot: 1\n', {}, /top\.yaml: prot: unknown key/],
    ['type.yaml', 'backends:\n  files:\n    url: http://h/dav/\n    limits: { connections: lots }\n', {}, /type\.yaml: backends\.files\.limits\.connections: .*number/i],
    ['url.yaml', 'backends:\n  files:\n    url: ftp://h/dav/\n', {}, /url\.yaml: backends\.files\.url/],
    ['nourl.yaml', 'backends:\n  files:\n    prefix: /dav/\n', {}, /nourl\.yaml: backends\.files\.url: required/],
    ['name.yaml', 'backends:\n  "bad name":\n    url: http://h/\n', {}, /name\.yaml: backends\.bad name: a backend name/],
    ['same.yaml', 'backends:\n  a: { url: "http://h/" }\n  b: { url: "http://k/" }\n', {}, /same\.yaml: backends\.b\.prefix: backends 'a' and 'b' would both take hrefs under \//],
    ['outside.yaml', 'backends:\n  a: { url: "http://h/dav/", prefix: "/cal/" }\n', {}, /outside\.yaml: backends\.a\.prefix: \/cal\/ is not under the url's path \/dav\//],
    ['dots.yaml', 'backends:\n  a: { url: "http://h/dav/", prefix: "/dav/x/../y/" }\n', {}, /dots\.yaml: backends\.a\.prefix: must not have empty or dot segments/],
    ['encoded.yaml', 'backends:\n  a: { url: "http://h/dav/", prefix: "/dav/%2e%2e/cal/" }\n', {}, /encoded\.yaml: backends\.a\.prefix: must not have empty or dot segments/],
    ['urldots.yaml', 'backends:\n  a: { url: "http://h/dav/../cal/" }\n', {}, /urldots\.yaml: backends\.a\.url: .*must not have empty or dot segments/],
    ['spelled.yaml', 'backends:\n  a: { url: "http://h/a%2fb/" }\n  b: { url: "http://k/", prefix: "/a%2Fb/" }\n', {}, /spelled\.yaml: backends\.b\.prefix: backends 'a' and 'b' would both take hrefs under \/a%2Fb\//],
    ['default.yaml', 'defaultBackend: c\nbackends:\n  a: { url: "http://h/" }\n', {}, /default\.yaml: defaultBackend: no backend is named 'c' \(configured: a\)/],
    ['both.yaml', 'backends:\n  a: { url: "http://h/", auth: { username: u, token: t } }\n', {}, /both\.yaml: backends\.a\.auth\.username and .*backends\.a\.auth\.token: set one, not both/],
    ['broken.yaml', 'backends: [\n', {}, /broken\.yaml: not valid YAML/],
    ['broken.json', '{"backends": ', {}, /broken\.json: not valid JSON/],
    ['ok.yaml', 'backends:\n  a: { url: "http://h/" }\n', { DAVGATE_BACKENDS__B__URL: 'http://k/' }, /DAVGATE_BACKENDS__B__URL: names no configured backend/],
    ['ok.yaml', 'backends:\n  a: { url: "http://h/" }\n', { DAVGATE_BACKENDS__A__CONNECTIONS: '0' }, /DAVGATE_BACKENDS__A__CONNECTIONS: .*>=1/],
    ['ok.yaml', 'backends:\n  a: { url: "http://h/" }\n', { DAVGATE_PORT: 'x' }, /^the configuration is invalid: DAVGATE_PORT: /],
  ])('refuses %s naming the key or variable', (name, text, env, message) => {
    expect(() => loadConfig({ DAVGATE_CONFIG: file(name, text), ...env })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));
  });

  it('refuses a file it cannot read, naming DAVGATE_CONFIG and not leaking its text', () => {
    expect(() => loadConfig({ DAVGATE_CONFIG: join(dir, 'missing.yaml') })).toThrow(/DAVGATE_CONFIG: cannot read .*missing\.yaml \(ENOENT\)/);
  });

  it('names every backend variable for a named backend the same way', () => {
    expect(namedVariable('files', 'DAVGATE_BACKEND_PASSWORD')).toBe('DAVGATE_BACKENDS__FILES__PASSWORD');
    expect(namedVariable('my-cal', 'DAVGATE_CONNECTIONS')).toBe('DAVGATE_BACKENDS__MY_CAL__CONNECTIONS');
  });

  it('documents every file key and variable in serve --help', () => {
    for (const key of Object.keys(FILE_KEYS)) expect(SERVE_HELP).toContain(`  ${key}\n`);
    for (const name of Object.keys(ENVIRONMENT)) expect(SERVE_HELP).toContain(`  ${name} `);
    // Every backend limit has a key.
    for (const limit of Object.keys(DEFAULT_LIMITS)) expect(Object.keys(FILE_KEYS)).toContain(`backends.<name>.limits.${limit}`);
  });
});
