'use strict';
/**
 * Where davgate's time goes: a CPU profile of parse → results (or build) on a generated
 * listing, taken in process with the inspector around the timed runs only (not the
 * warm-up, not the generation), then summed up by self time.
 *
 *   npm run build && node --expose-gc bench/profile.js [parse|build|fxp] [N] [runs]
 *
 * Prints the top functions by self time with the src/ file and line they come from (via
 * dist's source maps), the time per package, and writes the raw .cpuprofile next to
 * bench/results/ for Chrome DevTools or speedscope.
 */

const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { generate } = require('./generate.js');
const { markdownTable, gc } = require('./common.js');
const { cpuProfiler } = require('./cpu-profiler.js');

process.setSourceMapsEnabled(true);
const { findSourceMap } = require('node:module');
const davgate = require(path.join(__dirname, '..', 'dist', 'index.js'));

const ROOT = path.join(__dirname, '..');
const LIMITS = { maxBytes: 1024 * 1024 * 1024 };

function category(url) {
  if (url === '') return '(native / V8)';
  const file = url.replace(/^file:\/\//, '');
  if (file.includes('/node_modules/')) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    return m ? m[1] : 'node_modules';
  }
  if (file.startsWith(path.join(ROOT, 'dist'))) return 'davgate (src/)';
  if (file.startsWith('node:') || !file.startsWith('/')) return 'node internals';
  return path.relative(ROOT, file);
}

/** dist/xml/x.js:line -> src/xml/x.ts:line through the source map, when there is one. */
function where(url, line, column) {
  if (url === '') return '';
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith(path.join(ROOT, 'dist'))) {
    try {
      const map = findSourceMap(file);
      const entry = map?.findEntry(line, column);
      if (entry && entry.originalSource) {
        const source = entry.originalSource.replace(/^file:\/\//, '');
        return `${path.relative(ROOT, path.resolve(path.dirname(file), source))}:${entry.originalLine + 1}`;
      }
    } catch {
      // fall through to the dist location
    }
  }
  const rel = file.includes('/node_modules/') ? file.slice(file.lastIndexOf('/node_modules/') + 14) : path.relative(ROOT, file);
  const snippet = minifiedSnippet(file, line, column);
  return snippet === undefined ? `${rel}:${line + 1}` : `${rel}:${line + 1}:${column + 1} \`${snippet}\``;
}

const sources = new Map();

/** For a minified bundle (fast-xml-parser ships one without a source map): the code at the column. */
function minifiedSnippet(file, line, column) {
  if (!file.startsWith('/')) return undefined;
  let lines = sources.get(file);
  if (lines === undefined) {
    try {
      lines = fs.readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sources.set(file, lines);
  }
  const text = lines[line];
  if (text === undefined || text.length < 1000) return undefined;
  return text.slice(column, column + 60).replace(/`/g, "'").replace(/\|/g, '¦');
}

async function main() {
  const [what = 'parse', nArg = '10000', runsArg = '3'] = process.argv.slice(2);
  const n = Number(nArg);
  const runs = Number(runsArg);
  const { bytes } = generate(n);
  const warmBytes = generate(1000).bytes;
  let work;
  if (what === 'parse') work = (b) => davgate.toResults(davgate.parseMultiStatus(b, LIMITS).responses, 'PROPFIND');
  else if (what === 'build') {
    const ms = davgate.parseMultiStatus(bytes, LIMITS);
    const warmMs = davgate.parseMultiStatus(warmBytes, LIMITS);
    work = (b) => Array.from(davgate.buildMultiStatusChunks(b === bytes ? ms : warmMs)).join('');
  } else if (what === 'fxp') {
    const { XMLParser } = require('fast-xml-parser');
    const parser = new XMLParser();
    work = (b) => parser.parse(b);
  } else throw new Error(`unknown: ${what} (parse | build | fxp)`);

  for (let i = 0; i < 3; i++) work(warmBytes);
  gc();

  const profiler = cpuProfiler();
  await profiler.start();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) work(bytes);
  const wall = performance.now() - t0;
  const profile = await profiler.stop();

  // Self time per node from the sample stream.
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
  const fns = new Map();
  const cats = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame;
    const key = `${functionName}|${url}|${lineNumber}|${columnNumber}`;
    const entry = fns.get(key) ?? { name: functionName || '(anonymous)', url, line: lineNumber, column: columnNumber, us: 0 };
    entry.us += us;
    fns.set(key, entry);
    const cat = ['(garbage collector)', '(program)', '(idle)'].includes(functionName) ? functionName : category(url);
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    total += us;
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
  const msOf = (us) => (us / 1000 / runs).toFixed(1);

  console.log(`# CPU profile: ${what}, N=${n} (${(bytes.length / 1e6).toFixed(1)} MB), ${runs} run(s), ${(wall / runs).toFixed(0)} ms per run\n`);
  console.log('## Self time by package\n');
  console.log(markdownTable(['where', 'ms per run', 'share'], [...cats].sort((a, b) => b[1] - a[1]).map(([c, us]) => [c, msOf(us), pct(us)]), ['l', 'r', 'r']));
  const top = [...fns.values()].sort((a, b) => b.us - a.us);
  console.log('\n## Top functions by self time\n');
  console.log(
    markdownTable(
      ['function', 'location', 'ms per run', 'share'],
      top.slice(0, 30).map((f) => [f.name, where(f.url, f.line, f.column), msOf(f.us), pct(f.us)]),
      ['l', 'l', 'r', 'r'],
    ),
  );
  const ours = top.filter((f) => category(f.url) === 'davgate (src/)');
  console.log('\n## davgate functions (src/) by self time\n');
  console.log(
    markdownTable(
      ['function', 'src location', 'ms per run', 'share'],
      ours.slice(0, 20).map((f) => [f.name, where(f.url, f.line, f.column), msOf(f.us), pct(f.us)]),
      ['l', 'l', 'r', 'r'],
    ),
  );
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `profile-${what}-${n}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  console.log(`\nraw profile: ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
