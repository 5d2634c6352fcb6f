/**
 * The exit guard (exit-guard.ts) in a process of its own: the process groups it was given are
 * killed and its clean-ups run when that process exits or is interrupted, and a signal still
 * ends the process as the signal asked.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { killGroupSync } from './proc';

const GUARD = path.join(__dirname, 'exit-guard.ts');
const PROC = path.join(__dirname, 'proc.ts');

let dir: string;
/** Groups the guard was told to spare: killed here after each test. */
const spared: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'davgate-exit-guard-'));
});
afterEach(() => {
  for (const pgid of spared.splice(0)) killGroupSync(pgid);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts a node process that spawns two `sleep` groups and guards both, then lets go of the
 * second through forgetOnStop (with a stop that leaves it running, so that the guard's sparing
 * it shows), registers a clean-up that writes a marker file, prints the pids, and then runs
 * `then` ('wait' for a signal, or 'exit' at once).
 */
function guarded(then: 'wait' | 'exit') {
  const script = `
    const fs = require('node:fs');
    const { killOnExit, forgetOnStop, atExit } = require(${JSON.stringify(GUARD)});
    const { spawnGroup } = require(${JSON.stringify(PROC)});
    const out = ${JSON.stringify(path.join(dir, 'out.log'))};
    const kept = spawnGroup('kept', 'sleep', ['60'], { cwd: ${JSON.stringify(dir)}, outputFile: out });
    const spared = spawnGroup('spared', 'sleep', ['60'], { cwd: ${JSON.stringify(dir)}, outputFile: out });
    killOnExit(kept);
    killOnExit(spared);
    atExit(() => fs.writeFileSync(${JSON.stringify(path.join(dir, 'cleaned'))}, 'yes'));
    forgetOnStop(spared, async () => {})().then(() => {
      console.log(JSON.stringify({ kept: kept.pid, spared: spared.pid }));
      ${then === 'exit' ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'}
    });
  `;
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = new Promise<{ kept: number; spared: number }>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (!text.includes('\n')) return;
      const pids = JSON.parse(text) as { kept: number; spared: number };
      spared.push(pids.spared);
      resolve(pids);
    });
    child.once('exit', () => reject(new Error(`the guarded process exited before printing its pids: ${text}`)));
  });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${String(code)}`)));
  return { child, pids, exited };
}

/** Gone, or a zombie no one has reaped yet: either way no longer running. */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(stat, 'utf8'));
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('exit guard', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('kills the live groups and runs the clean-ups on %s, then ends by that signal', async (signal) => {
    const { child, pids, exited } = guarded('wait');
    const { kept, spared } = await pids;
    expect(running(kept)).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(signal);
    expect(await eventually(() => !running(kept))).toBe(true);
    expect(running(spared)).toBe(true);
    expect(readFileSync(path.join(dir, 'cleaned'), 'utf8')).toBe('yes');
  });

  it('kills the live groups and runs the clean-ups when the process exits', async () => {
    const { pids, exited } = guarded('exit');
    const { kept, spared } = await pids;
    expect(await exited).toBe('code 0');
    expect(await eventually(() => !running(kept))).toBe(true);
    expect(running(spared)).toBe(true);
    expect(readFileSync(path.join(dir, 'cleaned'), 'utf8')).toBe('yes');
  });
});
