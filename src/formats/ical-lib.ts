import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };

/*
 * ical.js 2 is an ES module package whose `exports` also map `require` to a CommonJS build
 * (dist/ical.es5.cjs), but it ships no .d.cts for that build: TypeScript therefore resolves
 * the ESM declarations and refuses a plain import from this CommonJS project (TS1479). The
 * types are taken from the ESM declarations (resolution-mode "import") and the value from
 * `require`, which Node and jest resolve to the CommonJS build. The CommonJS build exports
 * the namespace object itself, not `{ default }`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: the only way to load ical.js's CommonJS build with its types
export const ICAL: typeof ICALModule = require('ical.js');
