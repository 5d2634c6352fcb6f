import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { EXPLORER_CSP } from '../../src/graphql/explorer';
import { testGateway, unique, type TestGateway } from '../rest/gateway';
import { basicCredentials, testServers } from '../servers';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Bound of each browser step; the machine is small and shared. */
const STEP_MS = 5_000;
/** What a browser sends when it navigates. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const inCI = !['', 'false', '0'].includes(process.env['CI'] ?? '');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCI) {
  process.stderr.write(`\nexplorer.test.ts: skipping the browser test, ${CHROMIUM} is missing (apt-get install -y chromium); in CI it fails instead.\n`);
}
/** In CI a missing Chromium fails the test (at launch), it is never skipped. */
const browserIt = haveChromium || inCI ? it : it.skip;

jest.setTimeout(60_000);

/** The explorer at GET /graphql, in front of the real Apache mod_dav started by global setup. */
describe('GraphQL explorer', () => {
  const apache = testServers().apache;
  let gw: TestGateway;
  let origin: string;

  beforeAll(async () => {
    gw = testGateway(apache.url, basicCredentials(apache));
    origin = await gw.url();
  });
  afterAll(() => gw.close());

  describe('over plain HTTP', () => {
    it('GET /graphql from a browser answers the page, under a CSP that allows only the gateway itself', async () => {
      const res = await fetch(`${origin}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
      expect(EXPLORER_CSP).toMatch(/^default-src 'none';/);
      expect(EXPLORER_CSP).toContain("script-src 'self';");
      expect(EXPLORER_CSP).not.toMatch(/unsafe|https?:|\*/);
      const page = await res.text();
      expect(page).toContain('<div id="graphiql">');
      expect(page).not.toMatch(/https?:\/\//);
    });

    it('serves every file the page names, from the gateway', async () => {
      const page = await (await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } })).text();
      const files = [...page.matchAll(/(?:src|href)="(graphql\/explorer\/[^"]+)"/g)].map((m) => m[1] ?? '');
      expect(files).toEqual(['graphql/explorer/graphiql.css', 'graphql/explorer/react.js', 'graphql/explorer/react-dom.js', 'graphql/explorer/graphiql.js', 'graphql/explorer/init.js']);
      for (const file of files) {
        const res = await fetch(`${origin}/${file}`);
        expect([file, res.status, res.headers.get('content-type')]).toEqual([file, 200, file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8']);
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
      expect((await fetch(`${origin}/graphql/explorer/nothing.js`)).status).toBe(404);
    });

    it('a GET with a query parameter still reaches Apollo, whatever the Accept', async () => {
      const res = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: BROWSER_ACCEPT, 'apollo-require-preflight': '1' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    });

    it('a GET that does not prefer HTML still reaches Apollo, CSRF prevention included', async () => {
      for (const accept of ['application/json', '*/*']) {
        const res = await fetch(`${origin}/graphql`, { headers: { accept } });
        expect([accept, res.status, res.headers.get('content-security-policy')]).toEqual([accept, 400, null]);
      }
      const unsafe = await fetch(`${origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
      expect(unsafe.status).toBe(400);
      expect(await unsafe.text()).toMatch(/CSRF/);
    });
  });

  describe('in headless Chromium', () => {
    let profile: string | undefined;
    let context: BrowserContext | undefined;
    afterAll(async () => {
      await context?.close();
      if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    });

    browserIt('loads with no request leaving the gateway, and runs a mutation typed into it against Apache', async () => {
      if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
      profile = mkdtempSync(path.join(os.tmpdir(), 'davgate-chromium-'));
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 2 * STEP_MS });
      context.setDefaultTimeout(STEP_MS);
      const foreign: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (new URL(url).origin === origin) return route.continue();
        foreign.push(url);
        return route.abort('blockedbyclient');
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const problems = watchProblems(page);

      const response = await page.goto(`${origin}/graphql`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      await page.locator('.graphiql-container').waitFor();

      const href = `${new URL(apache.url).pathname}${unique('explorer')}.txt`;
      await typeQuery(page, `mutation { batch(operations: [{method: PUT, href: "${href}", body: "x"}]) { counts { created total } } }`);
      await page.getByRole('button', { name: /execute query/i }).click();

      const result = page.locator('.result-window');
      await result.filter({ hasText: '"created"' }).waitFor();
      const text = await result.innerText();
      expect(text).toMatch(/"created": 1,/);
      expect(text).toMatch(/"total": 1\b/);
      expect(foreign).toEqual([]);
      expect(problems).toEqual([]);
    });
  });
});

/** Console errors, CSP violations and uncaught exceptions of the page. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Replaces the query editor's content by typing, as a person would: click, select all, type. */
async function typeQuery(page: Page, query: string): Promise<void> {
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(query);
  const typed = await page.locator('.graphiql-query-editor .CodeMirror-line').allInnerTexts();
  expect(typed.join('\n')).toBe(query);
}
