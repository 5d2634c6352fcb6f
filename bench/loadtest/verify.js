'use strict';
/**
 * After a phase: what Apache holds, read straight from Apache (PROPFIND Depth 1 of every
 * worker's collection, parsed with fast-xml-parser rather than davgate's own parser), against
 * what the ledger says it must hold. Every name in a collection was written by exactly one
 * operation of the ledger, so:
 *
 * - a name whose last claim is "present" must be there, a file with its body's length, with the
 *   {urn:davgate-loadtest}op property exactly when a PROPPATCH was reported applied (and then
 *   with that PROPPATCH's id as its value);
 * - a name whose claim is "absent" (never written, deleted, shed, reported not sent) must not be;
 * - a name left unknown (UPSTREAM_OUTCOME_UNKNOWN, no answer) may be either: counted both ways;
 * - a name the ledger never sent is a phantom.
 */

const { Client } = require('undici');
const { XMLParser } = require('fast-xml-parser');
const { PROP_NS } = require('./workload.js');
const { pathKey } = require('./ledger.js');

const PROPFIND_BODY =
  `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:L="${PROP_NS}">` +
  '<D:prop><D:getcontentlength/><D:resourcetype/><L:op/></D:prop></D:propfind>';

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: false, isArray: (name) => name === 'response' || name === 'propstat' });

/** Members of a collection: path key → { dir, length, prop } (prop undefined when absent). */
async function listMembers(client, authorization, collection) {
  const res = await client.request({ method: 'PROPFIND', path: collection, headers: { authorization, depth: '1', 'content-type': 'application/xml; charset=utf-8' }, body: PROPFIND_BODY });
  const text = await res.body.text();
  if (res.statusCode !== 207) throw new Error(`PROPFIND ${collection}: ${res.statusCode} ${text.slice(0, 200)}`);
  const members = new Map();
  const self = pathKey(collection);
  for (const response of parser.parse(text).multistatus?.response ?? []) {
    const key = pathKey(String(response.href).trim());
    if (key === self) continue;
    const found = {};
    for (const ps of response.propstat ?? []) {
      if (!/^HTTP\/\d\.\d\s+2\d\d\b/.test(String(ps.status).trim())) continue;
      Object.assign(found, ps.prop ?? {});
    }
    const dir = typeof found.resourcetype === 'object' && found.resourcetype !== null && 'collection' in found.resourcetype;
    members.set(key, { dir, length: found.getcontentlength === undefined ? undefined : Number(found.getcontentlength), prop: found.op === undefined ? undefined : String(found.op) });
  }
  return members;
}

/** Compares Apache's collections with the ledger's expected state. */
async function verify(apache, ledger) {
  const origin = new URL(apache.url).origin;
  const authorization = `Basic ${Buffer.from(`${apache.username}:${apache.password}`).toString('base64')}`;
  const client = new Client(origin, { headersTimeout: 60000, bodyTimeout: 60000 });
  const out = { collections: 0, names: 0, present: 0, absent: 0, unknownPresent: 0, unknownAbsent: 0, propsChecked: 0, mismatches: [] };
  const miss = (kind, href, detail, state) => out.mismatches.push({ kind, href, detail, ops: state?.ops });
  try {
    for (const collection of ledger.collections) {
      const members = await listMembers(client, authorization, collection);
      out.collections++;
      const prefix = pathKey(collection);
      for (const [key, s] of ledger.state) {
        if (!key.startsWith(prefix)) continue;
        out.names++;
        const m = members.get(key);
        members.delete(key);
        if (s.exists === 'no') {
          if (m === undefined) out.absent++;
          else miss('present though reported not applied', key, 'exists on the backend', s);
          continue;
        }
        if (m === undefined) {
          if (s.exists === 'yes') miss('lost', key, 'reported written, missing on the backend', s);
          else out.unknownAbsent++;
          continue;
        }
        if (s.exists === 'yes') out.present++;
        else out.unknownPresent++;
        if (s.type === 'dir' ? !m.dir : m.dir) miss('wrong type', key, m.dir ? 'a collection' : 'a file', s);
        if (s.type === 'file' && m.length !== s.length) miss('wrong length', key, `${m.length} bytes, expected ${s.length}`, s);
        if (s.type === 'file') checkProp(s, m, key, out, miss);
      }
      for (const key of members.keys()) miss('phantom', key, 'on the backend, never sent', undefined);
    }
  } finally {
    await client.close();
  }
  return out;
}

function checkProp(s, m, key, out, miss) {
  out.propsChecked++;
  if (s.prop === 'yes' && m.prop !== s.propValue) miss('property lost', key, m.prop === undefined ? `no ${PROP_NS} op property` : `op = ${m.prop}, expected ${s.propValue}`, s);
  if (s.prop === 'no' && m.prop !== undefined) miss('property set though reported not applied', key, `op = ${m.prop}`, s);
  if (s.prop === 'unknown' && m.prop !== undefined && m.prop !== s.propValue) miss('property wrong', key, `op = ${m.prop}, expected ${s.propValue} or none`, s);
}

module.exports = { verify };
