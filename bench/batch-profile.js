'use strict';
/**
 * Sums up a V8 CPU profile of the gateway process by self time: per package, top functions,
 * and davgate's own functions mapped from dist/ to src/ through the source maps (read from
 * the .map files, so the profiled process needs no source-map support switched on).
 */

const fs = require('node:fs');
const path = require('node:path');
const { SourceMap } = require('node:module');
const { markdownTable } = require('./common.js');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const maps = new Map();

function fileOf(url) {
  return url.replace(/^file:\/\//, '');
}

function category(functionName, url) {
  if (['(garbage collector)', '(program)', '(idle)', '(root)'].includes(functionName)) return functionName;
  if (url === '') return '(native / V8)';
  const file = fileOf(url);
  if (file.includes('/node_modules/')) return /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'node_modules';
  if (file.startsWith(DIST)) return 'davgate (src/)';
  if (file.startsWith('node:') || !file.startsWith('/')) return 'node internals';
  return path.relative(ROOT, file);
}

function sourceMapOf(file) {
  if (!maps.has(file)) {
    let map;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = undefined;
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** dist/x/y.js:line → src/x/y.ts:line; other files relative to the repository or node_modules. */
function where(url, line, column) {
  if (url === '') return '';
  const file = fileOf(url);
  if (file.startsWith(DIST)) {
    const entry = sourceMapOf(file)?.findEntry(line, column);
    if (entry?.originalSource) {
      const source = fileOf(entry.originalSource);
      return `${path.relative(ROOT, path.resolve(path.dirname(file), source))}:${entry.originalLine + 1}`;
    }
  }
  const rel = file.includes('/node_modules/') ? file.slice(file.lastIndexOf('/node_modules/') + 14) : file.startsWith('/') ? path.relative(ROOT, file) : file;
  return `${rel}:${line + 1}`;
}

/** Self time per node id of one profile, in µs. */
function selfTimes(profile) {
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
  return self;
}

/**
 * Markdown summary of `profiles` (Profiler.stop results, one per timed phase) over `runs`
 * timed runs; idle time is left out of the shares (the process waits for its peers).
 */
function summarize(profiles, runs, processName) {
  const fns = new Map();
  const cats = new Map();
  const inclusive = new Map();
  let busy = 0;
  let idle = 0;
  for (const profile of profiles) {
    const self = selfTimes(profile);
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const [id, us] of self) {
      const { functionName, url, lineNumber, columnNumber } = byId.get(id).callFrame;
      const cat = category(functionName, url);
      if (cat === '(idle)') {
        idle += us;
        continue;
      }
      const key = `${functionName}|${url}|${lineNumber}|${columnNumber}`;
      const entry = fns.get(key) ?? { key, name: functionName || '(anonymous)', url, line: lineNumber, column: columnNumber, cat, us: 0 };
      entry.us += us;
      fns.set(key, entry);
      cats.set(cat, (cats.get(cat) ?? 0) + us);
      busy += us;
    }
    for (const [key, us] of inclusiveTimes(profile, self)) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
  for (const f of fns.values()) f.incl = inclusive.get(f.key) ?? f.us;
  const pct = (us) => `${((100 * us) / busy).toFixed(1)}%`;
  const perRun = (us) => (us / 1000 / runs).toFixed(2);
  const top = [...fns.values()].sort((a, b) => b.us - a.us);
  const ours = top.filter((f) => f.cat === 'davgate (src/)');
  const out = [
    `${processName}, ${runs} timed run(s) (${profiles.length} profiled phases): busy ${perRun(busy)} ms per run (idle ${perRun(idle)} ms, left out of the shares).`,
    '',
    '#### Self time by package',
    '',
    markdownTable(['where', 'ms per run', 'share'], [...cats].sort((a, b) => b[1] - a[1]).map(([c, us]) => [c, perRun(us), pct(us)]), ['l', 'r', 'r']),
    '',
    '#### Top functions by self time',
    '',
    markdownTable(['function', 'location', 'package', 'ms per run', 'share'], top.slice(0, 25).map((f) => [f.name, where(f.url, f.line, f.column), f.cat, perRun(f.us), pct(f.us)]), ['l', 'l', 'l', 'r', 'r']),
  ];
  if (ours.length > 0) {
    out.push(
      '',
      '#### davgate functions (src/) by self time',
      '',
      markdownTable(
        ['function', 'src location', 'self ms per run', 'self share', 'inclusive ms per run', 'inclusive share'],
        ours.slice(0, 20).map((f) => [f.name, where(f.url, f.line, f.column), perRun(f.us), pct(f.us), perRun(f.incl), pct(f.incl)]),
        ['l', 'l', 'r', 'r', 'r', 'r'],
      ),
      '',
      '#### davgate functions (src/) by inclusive time (self + synchronous callees)',
      '',
      markdownTable(
        ['function', 'src location', 'inclusive ms per run', 'share'],
        [...ours].sort((a, b) => b.incl - a.incl).slice(0, 15).map((f) => [f.name, where(f.url, f.line, f.column), perRun(f.incl), pct(f.incl)]),
        ['l', 'l', 'r', 'r'],
      ),
    );
  }
  return { text: out.join('\n'), busyMsPerRun: busy / 1000 / runs, categories: Object.fromEntries([...cats].map(([c, us]) => [c, us / 1000 / runs])) };
}

/**
 * Inclusive (self + callees) time per function, a function counted once per stack even when
 * it recurses.
 */
function inclusiveTimes(profile, self) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  const onStack = new Map();
  const root = profile.nodes[0];
  // Iterative DFS: enter pushes the key, exit adds the subtree total to keys not deeper on the stack.
  const subtree = new Map();
  const stack = [{ node: root, entered: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const { functionName, url, lineNumber, columnNumber } = top.node.callFrame;
    const key = `${functionName}|${url}|${lineNumber}|${columnNumber}`;
    if (!top.entered) {
      top.entered = true;
      onStack.set(key, (onStack.get(key) ?? 0) + 1);
      for (const child of top.node.children ?? []) stack.push({ node: byId.get(child), entered: false });
      continue;
    }
    stack.pop();
    let total = self.get(top.node.id) ?? 0;
    for (const child of top.node.children ?? []) total += subtree.get(child) ?? 0;
    subtree.set(top.node.id, total);
    const depth = onStack.get(key) - 1;
    if (depth === 0) onStack.delete(key);
    else onStack.set(key, depth);
    if (depth === 0) totals.set(key, (totals.get(key) ?? 0) + total);
  }
  return totals;
}

module.exports = { summarize };
