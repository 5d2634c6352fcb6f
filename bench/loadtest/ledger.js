'use strict';
/**
 * The ledger of one phase: every operation sent, the result(s) it got, and, from the results
 * alone, what the backend must hold afterwards (verify.js compares). Per operation:
 *
 * - accounted: exactly one result for its href, or its whole request was shed (HTTP 503 with
 *   BACKEND_OVERLOADED / BACKEND_FAILING / GATEWAY_SHUTTING_DOWN: nothing of it was sent);
 * - unaccounted: no result (an answer without it, another whole-request failure, no answer);
 * - duplicated: more than one result for its href.
 *
 * What a result claims about the backend:
 * - applied: Success or Created;
 * - unknown: Error UPSTREAM_OUTCOME_UNKNOWN (sent, connection lost before the answer), a direct
 *   request whose connection failed, or an operation without an accounted result;
 * - not applied: every other Error and Locked: an answer of the backend, or a code saying it
 *   was never sent (UPSTREAM_REFUSED, DEPENDENCY_FAILED, BACKEND_*, …). The check holds the
 *   gateway to that claim.
 */

const UNKNOWN_CODES = new Set(['UPSTREAM_OUTCOME_UNKNOWN', 'DIRECT_TRANSPORT']);
/** Whole-request codes of load shedding: the gateway sent none of the batch's operations. */
const SHED_CODES = new Set(['BACKEND_OVERLOADED', 'BACKEND_FAILING', 'GATEWAY_SHUTTING_DOWN']);

/** The path of an href or URL, percent-decoded, for comparing hrefs however they are spelled. */
function pathKey(href) {
  let p = href;
  try {
    p = new URL(href, 'http://x').pathname;
  } catch {
    // keep as is
  }
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

function claimOf(result) {
  if (result.kind === 'Success' || result.kind === 'Created') return 'applied';
  if (result.kind === 'Error' && UNKNOWN_CODES.has(result.code)) return 'unknown';
  return 'not-applied';
}

class Ledger {
  constructor(name) {
    this.name = name;
    /** href key → { type, exists, length, prop, propValue, ops } (exists and prop: 'yes' | 'no' | 'unknown') */
    this.state = new Map();
    this.collections = new Set();
    this.anomalies = [];
    this.stray = 0;
    this.counts = { ops: 0, accounted: 0, shed: 0, unaccounted: 0, duplicated: 0, extraHrefs: 0 };
    this.outcomes = new Map(); // "PUT Created 201" → n
  }

  /** A collection and its seed file, made at setup straight on Apache. */
  seeded(collection, put) {
    this.collections.add(collection);
    this.state.set(pathKey(put.href), { type: 'file', exists: 'yes', length: put.length, prop: 'no', ops: ['setup'] });
  }

  /** Settles one request's operations from its answer (targets.js: { results } or { shed } or { failed }). */
  settle(ops, answer) {
    const byId = new Map(ops.map((op) => [op.id, []]));
    for (const r of answer.results ?? []) {
      const own = byId.get(r.operationId);
      if (own === undefined) this.stray++;
      else own.push(r);
    }
    for (const op of ops) {
      this.counts.ops++;
      const results = byId.get(op.id);
      const mine = results.filter((r) => pathKey(r.href) === pathKey(op.href));
      this.counts.extraHrefs += results.length - mine.length;
      let claim;
      let outcome;
      if (answer.results !== undefined) {
        if (mine.length === 1) this.counts.accounted++;
        else if (mine.length === 0) this.counts.unaccounted++;
        else this.counts.duplicated++;
        if (mine.length > 1) this.anomaly('duplicated', op, `${mine.length} results for one operation: ${mine.map(describe).join('; ')}`);
        claim = mine.length === 0 ? 'unknown' : claimOf(mine[0]);
        outcome = mine.length === 0 ? 'no result' : describe(mine[0]);
      } else if (answer.shed) {
        this.counts.accounted++;
        this.counts.shed++;
        claim = 'not-applied';
        outcome = `shed ${answer.code}`;
      } else {
        this.counts.unaccounted++;
        claim = 'unknown';
        outcome = `request ${answer.failed}`;
      }
      const key = `${op.method} ${outcome}`;
      this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
      this.apply(op, claim, mine[0]);
    }
  }

  anomaly(kind, op, detail) {
    this.anomalies.push({ kind, op: op.id, method: op.method, href: op.href, detail });
  }

  /** What the backend must now hold for the operation's href (see the header). */
  apply(op, claim, result) {
    const key = pathKey(op.href);
    const s = this.state.get(key) ?? { type: op.method === 'MKCOL' ? 'dir' : 'file', exists: 'no', prop: 'no', ops: [] };
    this.state.set(key, s);
    s.ops.push(`${op.id}:${op.method}:${claim}`);
    const status = result?.status;
    switch (op.method) {
      case 'PUT':
      case 'MKCOL':
        if (claim === 'applied') {
          // Every name is new: an existing resource means an earlier attempt already applied.
          if (op.method === 'PUT' && status !== 201) this.anomaly('double write', op, `PUT of a new name answered ${status} (201 expected): it already existed`);
          s.exists = 'yes';
        } else if (claim === 'unknown' && s.exists === 'no') s.exists = 'unknown';
        else if (claim === 'not-applied' && op.method === 'MKCOL' && status === 405) this.anomaly('double write', op, 'MKCOL of a new name answered 405: it already existed');
        if (op.method === 'PUT') s.length = op.length;
        break;
      case 'PROPPATCH':
        if (claim === 'applied') {
          if (s.exists === 'unknown') s.exists = 'yes';
          s.prop = 'yes';
          s.propValue = op.value;
        } else if (claim === 'unknown' && s.prop === 'no') {
          s.prop = 'unknown';
          s.propValue = op.value;
        }
        break;
      case 'DELETE':
        if (claim === 'applied') {
          if (s.exists === 'no') this.anomaly('phantom', op, 'DELETE succeeded on a name whose PUT was reported not applied');
          s.exists = 'no';
          s.prop = 'no';
        } else if (claim === 'unknown' && s.exists !== 'no') s.exists = 'unknown';
        else if (claim === 'not-applied' && status === 404 && s.exists === 'yes') {
          this.anomaly('lost', op, 'DELETE answered 404 though the PUT had succeeded (lost, or deleted twice)');
          s.exists = 'no';
          s.prop = 'no';
        }
        break;
      default:
        throw new Error(`ledger: no model for ${op.method}`);
    }
  }

  /** Counts of outcomes, most frequent first. */
  outcomeList() {
    return [...this.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([outcome, n]) => ({ outcome, n }));
  }
}

function describe(r) {
  return `${r.kind} ${r.status ?? '—'}${r.code === undefined || r.code === null ? '' : ` ${r.code}`}`;
}

module.exports = { Ledger, SHED_CODES, pathKey };
