import { randomBytes } from 'node:crypto';
import type { BackendAuth } from './backend';
import { digestAuthorization, parseChallenges, pickDigestChallenge, type DigestChallenge } from './digest';
import { checkHeaderValue, headerValues, type RawHeaders } from './headers';

/** What an Authorization value is computed for. */
export interface AuthTarget {
  readonly method: string;
  /** The request-target as sent. */
  readonly path: string;
  readonly body: Uint8Array | undefined;
}

/**
 * The `Authorization` header of one backend, per its auth mode: the caller's own header in
 * pass-through mode, the configured Basic or Bearer credentials otherwise, never both.
 * In basic mode a Digest challenge is answered with the same username and password, and the
 * challenge is kept so later requests answer it at once (with the next nonce count) instead of
 * sending Basic again. Credentials live in private fields: `util.inspect`, `JSON.stringify`
 * and error messages never show them.
 */
export class BackendCredentials {
  readonly #auth: BackendAuth;
  /** The Basic or Bearer header value, made once (it is the same for every request). */
  readonly #fixed: string | undefined;
  #digest: { challenge: DigestChallenge; nc: number } | undefined;

  constructor(auth: BackendAuth) {
    this.#auth = auth;
    this.#fixed =
      auth.mode === 'basic' ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
      : auth.mode === 'bearer' ? `Bearer ${auth.token}`
      : undefined;
  }

  /** The mode, for messages and tests. */
  get mode(): BackendAuth['mode'] {
    return this.#auth.mode;
  }

  /** The header for a first attempt; `passthrough` is the caller's header (pass-through mode only). */
  initial(target: AuthTarget, passthrough: string | undefined): string | undefined {
    const auth = this.#auth;
    switch (auth.mode) {
      case 'passthrough':
        if (passthrough !== undefined) checkHeaderValue('Authorization', passthrough);
        return passthrough;
      case 'bearer':
        return this.#fixed;
      case 'basic':
        if (this.#digest !== undefined) return this.#answer(this.#digest.challenge, target);
        return this.#fixed;
    }
  }

  /**
   * The header for one more attempt after a 401, or undefined when davgate cannot do better
   * than pass the 401 on: not basic mode, or no Digest challenge it supports.
   */
  answer401(headers: RawHeaders, target: AuthTarget): string | undefined {
    if (this.#auth.mode !== 'basic') return undefined;
    const challenge = pickDigestChallenge(parseChallenges(headerValues(headers, 'www-authenticate')));
    if (challenge === undefined) return undefined;
    this.#digest = { challenge, nc: 0 };
    return this.#answer(challenge, target);
  }

  #answer(challenge: DigestChallenge, target: AuthTarget): string {
    if (this.#auth.mode !== 'basic' || this.#digest === undefined) throw new Error('a Digest answer needs basic credentials');
    this.#digest.nc += 1;
    return digestAuthorization({
      challenge,
      username: this.#auth.username,
      password: this.#auth.password,
      method: target.method,
      uri: target.path,
      cnonce: randomBytes(16).toString('hex'),
      nc: this.#digest.nc,
      ...(target.body === undefined ? {} : { body: target.body }),
    });
  }

  toJSON(): { mode: string } {
    return { mode: this.#auth.mode };
  }
}
