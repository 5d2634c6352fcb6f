'use strict';
/**
 * What the virtual users send. Each worker owns a collection; its iteration k is one batch of
 * five operations on names no other operation ever uses again:
 *
 *   PUT a-k.txt · PROPPATCH a-k.txt (sets {urn:davgate-loadtest}op to its own id) ·
 *   PUT b-k.bin · DELETE b-(k-1).bin (the previous iteration's file) · MKCOL c-k/
 *
 * so every name is written once (a PUT answered 204 instead of 201, or a MKCOL answered 405, on
 * such a name means an earlier attempt had already applied: a double write), and what the
 * backend must hold afterwards follows from the results alone. b-0.bin is made at setup.
 */

const PROP_NS = 'urn:davgate-loadtest';
const PROP = `{${PROP_NS}}op`;

const GRAPHQL_QUERY =
  'mutation Loadtest($ops: [OperationInput!]!) { batch(operations: $ops) { results { __typename ' +
  '... on HrefResult { href status operationId operationIndex } ... on Error { code retryable } } } }';

/** An ASCII body of `length` bytes that starts with the operation's id (JSON-safe, no escaping). */
function bodyOf(id, length) {
  const head = `${id} `;
  const filler = 'davgate loadtest 0123456789 abcdefghijklmnopqrstuvwxyz\n';
  return (head + filler.repeat(Math.ceil(length / filler.length) + 1)).slice(0, length);
}

/** A length from 100 to 1999 bytes, spread deterministically over workers and iterations. */
function lengthOf(worker, k, salt) {
  return 100 + ((k * 7919 + worker * 104729 + salt * 31) % 1900);
}

/** Worker state: its collection and the iteration it is at. */
function createWorker(index, collection) {
  return { index, collection, iteration: 0 };
}

/** The operations of the worker's next iteration; `nextId()` gives globally unique ids. */
function nextIteration(worker, nextId) {
  const k = ++worker.iteration;
  const c = worker.collection;
  const a = `${c}a-${k}.txt`;
  const put = (href, salt) => {
    const id = nextId();
    const length = lengthOf(worker.index, k, salt);
    return { id, method: 'PUT', href, body: bodyOf(id, length), contentType: 'text/plain', length };
  };
  const proppatchId = nextId();
  return [
    put(a, 1),
    { id: proppatchId, method: 'PROPPATCH', href: a, value: proppatchId },
    put(`${c}b-${k}.bin`, 2),
    { id: nextId(), method: 'DELETE', href: `${c}b-${k - 1}.bin` },
    { id: nextId(), method: 'MKCOL', href: `${c}c-${k}/` },
  ];
}

/** The setup of a worker's collection, sent straight to Apache: the collection and b-0.bin. */
function setupOperations(worker, nextId) {
  const id = nextId();
  const length = lengthOf(worker.index, 0, 2);
  return { collection: worker.collection, put: { id, method: 'PUT', href: `${worker.collection}b-0.bin`, body: bodyOf(id, length), contentType: 'text/plain', length } };
}

/** POST /v1/batch body (README, "Operations"). */
function restBody(ops) {
  return JSON.stringify({
    operations: ops.map((op) => {
      if (op.method === 'PUT') return { id: op.id, method: 'PUT', href: op.href, body: op.body, contentType: op.contentType };
      if (op.method === 'PROPPATCH') return { id: op.id, method: 'PROPPATCH', href: op.href, set: { [PROP]: op.value } };
      return { id: op.id, method: op.method, href: op.href };
    }),
  });
}

/** POST /graphql body: the batch mutation with the operations as OperationInput variables. */
function graphqlBody(ops) {
  return JSON.stringify({
    query: GRAPHQL_QUERY,
    variables: {
      ops: ops.map((op) => {
        if (op.method === 'PUT') return { id: op.id, method: 'PUT', href: op.href, body: op.body, contentType: op.contentType };
        if (op.method === 'PROPPATCH') return { id: op.id, method: 'PROPPATCH', href: op.href, set: [{ name: PROP, text: op.value }] };
        return { id: op.id, method: op.method, href: op.href };
      }),
    },
  });
}

const XML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** The PROPPATCH body the direct path sends (what davgate's propertyUpdateBody builds for the same set). */
function proppatchXml(value) {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<D:propertyupdate xmlns:D="DAV:" xmlns:L="${PROP_NS}"><D:set><D:prop><L:op>${value.replace(/[&<>]/g, (ch) => XML_ESCAPES[ch])}</L:op></D:prop></D:set></D:propertyupdate>`
  );
}

/**
 * Chains of one iteration that depend on each other (same href: PUT a-k then PROPPATCH a-k);
 * the gateway runs the chains concurrently and each chain in order, and so does the direct path.
 */
function chainsOf(ops) {
  const byHref = new Map();
  for (const op of ops) {
    const chain = byHref.get(op.href);
    if (chain === undefined) byHref.set(op.href, [op]);
    else chain.push(op);
  }
  return [...byHref.values()];
}

module.exports = { PROP_NS, createWorker, nextIteration, setupOperations, restBody, graphqlBody, proppatchXml, chainsOf };
