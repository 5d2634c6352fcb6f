'use strict';
/**
 * `npm run loadtest`: mixed REST and GraphQL batches through davgate (its own process,
 * `node bin/davgate.js serve`) against Apache mod_dav on loopback at rising concurrency, the
 * same load straight to Apache for the ratio and through the floor gateway (floor-gateway.js,
 * the least any gateway process does) for the machine's ceiling, then the fault phases
 * (Apache restarted, stopped, slow), with every operation accounted for and the backend
 * checked after each phase.
 * bench/README.md ("loadtest") describes it; knobs in settings.js.
 *
 * Exit status: 0; 1 when an accounting check fails (an unaccounted, duplicated or stray result,
 * a lost or doubled write, a mismatch with the backend) or the run fails; 2 when only a target
 * was missed and LOADTEST_STRICT=1; 124 when the watchdog ended the run; 130 on SIGINT.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { Client } = require('undici');
const { cpuModel, versionOf } = require('../common.js');
const { serversTmpdir, filesystemOf } = require('../batch-procs.js');
const { settings } = require('./settings.js');
const { startApacheHolder, startGateway, rssSampler, killAllSync } = require('./procs.js');
const { control } = require('./driver.js');
const { runComparison, runFault } = require('./phases.js');
const { renderReport, verdicts } = require('./report.js');

const RESULTS_DIR = path.join(__dirname, '..', 'results');

function machine() {
  let uptime;
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    uptime = `load average ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
  return { uptime, loadavg: os.loadavg() };
}

/**
 * The commit checked out, read from .git's files rather than with git itself (git status may
 * rewrite the index under whoever else works in the tree); whether src/ has changes is not known.
 */
function headCommit() {
  const gitDir = path.join(__dirname, '..', '..', '.git');
  try {
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (ref === undefined) return head.slice(0, 7);
    const loose = path.join(gitDir, ref);
    if (fs.existsSync(loose)) return `${fs.readFileSync(loose, 'utf8').trim().slice(0, 7)} (${ref.replace('refs/heads/', '')}; the working tree may differ)`;
    const packed = fs.readFileSync(path.join(gitDir, 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return packed === undefined ? 'unknown' : `${packed.slice(0, 7)} (${ref.replace('refs/heads/', '')}; the working tree may differ)`;
  } catch {
    return 'unknown';
  }
}

function adminClient(apache) {
  const client = new Client(new URL(apache.url).origin);
  const authorization = `Basic ${Buffer.from(`${apache.username}:${apache.password}`).toString('base64')}`;
  return {
    authorization,
    close: () => client.close(),
    async request(method, href, headers, body, expected) {
      const res = await client.request({ method, path: href, headers: { authorization, ...headers }, body });
      const text = await res.body.text();
      if (res.statusCode !== expected) throw new Error(`setup: ${method} ${href} answered ${res.statusCode}, expected ${expected}: ${text.slice(0, 200)}`);
      return text;
    },
  };
}

async function main() {
  const s = settings();
  const t0 = Date.now();
  const report = {
    date: new Date().toISOString(),
    davgate: headCommit(),
    node: process.version,
    cpu: cpuModel(),
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    start: machine(),
    settings: s,
    versions: { undici: versionOf('undici'), fastify: versionOf('fastify') },
  };
  let holder;
  let mainGateway;
  let admin;
  let sampler;
  let finished = false;
  let abortCode;
  const cleanup = async () => {
    control.stop = true;
    sampler?.stop();
    await admin?.close().catch(() => undefined);
    const stopped = await mainGateway?.stop().catch(() => undefined);
    await holder?.stop(20000).catch(() => undefined);
    return stopped;
  };
  const abort = (why, code) => {
    if (finished) return;
    finished = true;
    abortCode = code;
    console.error(`\nloadtest: ${why}; stopping everything …`);
    killAllSync();
    const hard = setTimeout(() => process.exit(code), 25000);
    hard.unref();
    void cleanup().finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => abort(`watchdog: still running after ${s.watchdogMs / 1000} s`, 124), s.watchdogMs);
  watchdog.unref();
  process.on('SIGINT', () => abort('SIGINT', 130));
  process.on('SIGTERM', () => abort('SIGTERM', 143));
  process.on('exit', killAllSync);

  let code = 0;
  try {
    const tmpdir = serversTmpdir();
    report.serversTmpdir = `${tmpdir} (${filesystemOf(tmpdir)})`;
    process.stderr.write(`loadtest: starting Apache (run directory in ${report.serversTmpdir}) …\n`);
    const started = await startApacheHolder(tmpdir);
    holder = started.holder;
    const apache = { ...started.info };
    report.apache = apache.version;
    mainGateway = await startGateway({ DAVGATE_BACKEND_URL: apache.url, DAVGATE_BACKEND_USERNAME: apache.username, DAVGATE_BACKEND_PASSWORD: apache.password }, 'main');
    process.stderr.write(`loadtest: gateway ${mainGateway.url} (pid ${mainGateway.pid}), Apache ${apache.url} (${apache.version})\n`);
    sampler = rssSampler(500, t0);
    const a = adminClient(apache);
    admin = a;
    const ctx = { s, apache, holder, mainGateway, sampler, root: new URL(apache.url).pathname, runTag: randomBytes(3).toString('hex'), authorization: a.authorization, adminRequest: a.request };

    process.stderr.write(`loadtest: comparison, ${s.concurrency.length} steps of ${s.stepSeconds.toFixed(1)} s each way (C = ${s.concurrency.join(', ')}) …\n`);
    report.comparison = await runComparison(ctx);
    report.faults = [];
    for (const name of s.faults) {
      if (control.stop) break;
      process.stderr.write(`loadtest: fault "${name}", ${s.faultSeconds} s at C=${name === 'slow' ? s.slowConcurrency : s.faultConcurrency} …\n`);
      report.faults.push(await runFault(ctx, name));
    }
    report.samples = sampler.samples;
    report.mainGatewayLogs = mainGateway.logs;
  } catch (error) {
    if (abortCode !== undefined) return abortCode;
    console.error(`\nloadtest FAILED: ${error?.stack ?? error}`);
    report.error = String(error?.message ?? error);
    code = 1;
  } finally {
    if (!finished) {
      finished = true;
      report.mainGatewayStop = await cleanup();
    }
    clearTimeout(watchdog);
  }
  if (abortCode !== undefined) return abortCode;
  report.end = machine();
  report.elapsedSeconds = (Date.now() - t0) / 1000;
  return finish(report, code, s);
}

function finish(report, code, s) {
  const v = report.error === undefined ? verdicts(report) : { accountingOk: false, targetsOk: false, lines: [] };
  report.verdicts = v.lines;
  const markdown = report.error === undefined ? renderReport(report, v.lines) : `# davgate load test\n\nFAILED: ${report.error}\n`;
  console.log(markdown);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const base = path.join(RESULTS_DIR, `loadtest-${stamp}`);
  fs.writeFileSync(`${base}.md`, markdown);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, (k, value) => (value instanceof Map ? Object.fromEntries(value) : value))}\n`);
  console.log(`\nreport written to ${path.relative(process.cwd(), base)}.md and .json`);
  if (code !== 0) return code;
  if (!v.accountingOk) return 1;
  if (s.strict && !v.targetsOk) return 2;
  return 0;
}

if (!fs.existsSync(path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js'))) {
  console.error('dist/ is missing: run `npm run build` first (or use `npm run loadtest`).');
  process.exit(1);
}
main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
