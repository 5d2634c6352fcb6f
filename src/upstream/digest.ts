import { createHash } from 'node:crypto';

/**
 * HTTP Digest access authentication, client side (RFC 7616). Written here rather than taken
 * from npm: the maintained packages either handle MD5 only with module-level counters and
 * split the header on commas (digest-header), or are tied to fetch and pick the algorithm
 * from options instead of the challenge (digest-fetch). This is the small part davgate needs:
 * parse the challenges, pick the strongest supported one, compute the response.
 */

/** One challenge of a `WWW-Authenticate` field (RFC 9110 §11.6.1): a scheme and its parameters. */
export interface Challenge {
  /** Lower case. */
  readonly scheme: string;
  /** Lower-case names; quoted values unescaped. */
  readonly params: ReadonlyMap<string, string>;
}

/** Algorithms davgate answers, strongest first. */
const ALGORITHMS = ['SHA-256', 'SHA-256-sess', 'MD5', 'MD5-sess'] as const;
export type DigestAlgorithm = (typeof ALGORITHMS)[number];

/** A Digest challenge davgate can answer. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly algorithm: DigestAlgorithm;
  /** Whether the server named the algorithm (it is repeated in the answer only then). */
  readonly algorithmNamed: boolean;
  /** The quality of protection chosen, or undefined for an RFC 2069 challenge without qop. */
  readonly qop?: 'auth' | 'auth-int';
  /** The server said the nonce expired: the credentials were fine. */
  readonly stale: boolean;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const PARAM_NAME = /([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*/y;
const QUOTED = /"((?:[^"\\]|\\[\s\S])*)"/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/y;
const SPACE = /[ \t]*/y;
const SEPARATORS = /[\s,]*/y;

/** Parses the challenges of one or more `WWW-Authenticate` field values; stops at the first malformed part. */
export function parseChallenges(values: readonly string[]): Challenge[] {
  return values.flatMap(parseChallengeList);
}

function parseChallengeList(text: string): Challenge[] {
  const challenges: Challenge[] = [];
  let pos = 0;
  const match = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m !== null) pos = re.lastIndex;
    return m;
  };
  for (;;) {
    match(SEPARATORS);
    const scheme = match(TOKEN);
    if (scheme === null) return challenges;
    const params = new Map<string, string>();
    challenges.push({ scheme: scheme[0].toLowerCase(), params });
    match(SPACE);
    if (match(TOKEN68) !== null) continue;
    for (;;) {
      const start = pos;
      match(SEPARATORS);
      const name = match(PARAM_NAME);
      if (name === null) {
        pos = start;
        break;
      }
      const value = match(QUOTED);
      const raw = value !== null ? (value[1] ?? '').replace(/\\([\s\S])/g, '$1') : match(TOKEN)?.[0];
      if (raw === undefined) return challenges;
      const key = (name[1] ?? '').toLowerCase();
      if (!params.has(key)) params.set(key, raw);
      match(SPACE);
    }
  }
}

/**
 * The strongest Digest challenge davgate can answer: SHA-256 before MD5 whatever their order
 * (RFC 7616 §3.7 asks servers to list the preferred one first; taking the strongest also
 * resists a downgrade), qop `auth` before `auth-int`, and no qop only as a last resort.
 */
export function pickDigestChallenge(challenges: readonly Challenge[]): DigestChallenge | undefined {
  const candidates = challenges.flatMap((c) => (c.scheme === 'digest' ? readDigest(c) : []));
  const rank = (d: DigestChallenge) => ALGORITHMS.indexOf(d.algorithm) * 3 + (d.qop === 'auth' ? 0 : d.qop === 'auth-int' ? 1 : 2);
  return candidates.sort((a, b) => rank(a) - rank(b))[0];
}

function readDigest(challenge: Challenge): DigestChallenge[] {
  const realm = challenge.params.get('realm');
  const nonce = challenge.params.get('nonce');
  if (realm === undefined || nonce === undefined) return [];
  const named = challenge.params.get('algorithm');
  const algorithm = ALGORITHMS.find((a) => a.toLowerCase() === (named ?? 'MD5').toLowerCase());
  if (algorithm === undefined) return [];
  const offered = challenge.params.get('qop')?.split(',').map((q) => q.trim().toLowerCase());
  const qop = offered === undefined ? undefined : offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : null;
  // -sess needs a cnonce, which only a qop exchange carries (RFC 7616 §3.4.2).
  if (qop === null || (qop === undefined && algorithm.endsWith('-sess'))) return [];
  const opaque = challenge.params.get('opaque');
  return [{
    realm,
    nonce,
    algorithm,
    algorithmNamed: named !== undefined,
    stale: challenge.params.get('stale')?.toLowerCase() === 'true',
    ...(opaque === undefined ? {} : { opaque }),
    ...(qop === undefined ? {} : { qop }),
  }];
}

/** What the answer to one challenge is computed from. */
export interface DigestInput {
  readonly challenge: DigestChallenge;
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The request-target exactly as sent (RFC 7616 §3.4: `uri`). */
  readonly uri: string;
  /** The request body, hashed for qop `auth-int`. */
  readonly body?: Uint8Array;
  /** The client nonce: random, at least 64 bits. */
  readonly cnonce: string;
  /** The nonce count: 1 for the first request with this nonce. */
  readonly nc: number;
}

/** The `Authorization` field value answering a Digest challenge (RFC 7616 §3.4). */
export function digestAuthorization(input: DigestInput): string {
  const { challenge, username, password, method, uri, cnonce } = input;
  const hash = hasher(challenge.algorithm);
  const nc = input.nc.toString(16).padStart(8, '0');
  let ha1 = hash(`${username}:${challenge.realm}:${password}`);
  if (challenge.algorithm.endsWith('-sess')) ha1 = hash(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = challenge.qop === 'auth-int' ? hash(`${method}:${uri}:${hash(input.body ?? new Uint8Array())}`) : hash(`${method}:${uri}`);
  const response = challenge.qop === undefined
    ? hash(`${ha1}:${challenge.nonce}:${ha2}`)
    : hash(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${challenge.qop}:${ha2}`);

  const fields = [
    usernameField(username),
    `realm=${quoted(challenge.realm)}`,
    `uri=${quoted(uri)}`,
    ...(challenge.algorithmNamed ? [`algorithm=${challenge.algorithm}`] : []),
    `nonce=${quoted(challenge.nonce)}`,
    ...(challenge.qop === undefined ? [] : [`nc=${nc}`, `cnonce=${quoted(cnonce)}`, `qop=${challenge.qop}`]),
    `response=${quoted(response)}`,
    ...(challenge.opaque === undefined ? [] : [`opaque=${quoted(challenge.opaque)}`]),
  ];
  return `Digest ${fields.join(', ')}`;
}

function hasher(algorithm: DigestAlgorithm): (data: string | Uint8Array) => string {
  const name = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (data) => createHash(name).update(data).digest('hex');
}

/** RFC 7616 §3.4.4: a username a quoted-string cannot carry goes in `username*` (RFC 8187). */
function usernameField(username: string): string {
  if (/^[\x20-\x7e]*$/.test(username)) return `username=${quoted(username)}`;
  const encoded = encodeURIComponent(username).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `username*=UTF-8''${encoded}`;
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
