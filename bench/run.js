'use strict';
/**
 * Entry of `npm run bench` (after `npm run build`): runs every bench, or only the one named.
 *
 *   node --expose-gc bench/run.js              # all benches
 *   node --expose-gc bench/run.js multistatus  # one of them
 *
 * A bench is a module exporting `run(): Promise<number>` (the exit code) and a `description`;
 * add a new one by adding a file here and a line to BENCHES.
 */

const path = require('node:path');
const fs = require('node:fs');

const BENCHES = {
  multistatus: './multistatus.js',
  batch: './batch.js',
};

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')}. Known: ${Object.keys(BENCHES).join(', ')}`);
    return 64;
  }
  if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'index.js'))) {
    console.error('dist/index.js is missing: run `npm run build` first (or use `npm run bench`).');
    return 1;
  }
  let code = 0;
  for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) {
    const bench = require(BENCHES[name]);
    const result = await bench.run();
    if (result !== 0 && code === 0) code = result;
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
