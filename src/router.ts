import type { BatchBackend } from './batch/executor';
import { DavgateError } from './model/errors';
import type { BackendStats } from './upstream/client';
import { canonicalPath, isUnderRoot } from './upstream/paths';

/** A backend as the faces use it: the batch executor's view, plus load shedding and state where the backend has them. */
export interface GatewayBackend extends BatchBackend {
  /** Why load shedding would refuse a request now (a 503-class DavgateError with retryAfterSeconds). */
  refusal?(): DavgateError | undefined;
  stats?(): BackendStats;
}

/** One routable backend. */
export interface Route {
  readonly name: string;
  /** Hrefs starting with this path go here; ends in `/`. */
  readonly prefix: string;
  readonly backend: GatewayBackend;
}

/** An href of a request and what to call it in a message (`operation "op2" (#1), destination`). */
export interface LabelledHref {
  readonly href: string;
  readonly label: string;
}

/** The request header that names a backend. */
const BACKEND_HEADER = 'x-davgate-backend';

/** The backend a request names in its `X-Davgate-Backend` header, if any. */
export function requestedBackend(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const value = headers[BACKEND_HEADER];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** What routing needs of a batch's operation. */
type BatchOperation = { readonly id: string; readonly index: number; readonly href: string; readonly destination?: string };

/** The hrefs and destinations of a batch's operations, each named for a message; made as `select` reads them. */
function* hrefsOfOperations(operations: readonly BatchOperation[]): Generator<LabelledHref> {
  for (const op of operations) {
    yield { href: op.href, label: `operation "${op.id}" (#${op.index}), href` };
    if (op.destination !== undefined) yield { href: op.destination, label: `operation "${op.id}" (#${op.index}), destination` };
  }
}

/**
 * Chooses the backend of a request (issue 5: several backends in one gateway): the one named
 * in the `X-Davgate-Backend` header, else the one whose prefix is the longest that the
 * request's hrefs start with, else the default. A request whose hrefs lead to two backends is
 * refused (BACKEND_AMBIGUOUS): a batch runs against one backend, where its order, locks and
 * dependencies mean something. Routing only picks; the chosen backend's own resolver still
 * refuses any href outside its root, so no href can reach a backend it does not belong to.
 */
export class BackendRouter {
  readonly #routes: readonly Route[];
  readonly #byName: ReadonlyMap<string, Route>;
  readonly #default: Route;

  constructor(routes: readonly Route[], defaultName: string) {
    // Longest prefix first, so the first match is the most specific.
    this.#routes = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);
    this.#byName = new Map(routes.map((r) => [r.name, r]));
    const fallback = this.#byName.get(defaultName);
    if (fallback === undefined) throw new DavgateError('CONFIG_INVALID', `the default backend '${defaultName}' is not configured`);
    this.#default = fallback;
  }

  /** A router over one backend, which takes every request. */
  static single(backend: GatewayBackend, name = 'default'): BackendRouter {
    return new BackendRouter([{ name, prefix: backend.root, backend }], name);
  }

  get routes(): readonly Route[] {
    return this.#routes;
  }

  get default(): GatewayBackend {
    return this.#default.backend;
  }

  /** The backend named in the request, or the one its hrefs lead to (with one backend, every href leads to it: none is read). */
  select(requested: string | undefined, hrefs: Iterable<LabelledHref>): GatewayBackend {
    if (requested !== undefined) return this.named(requested);
    if (this.#routes.length === 1) return this.#default.backend;
    let chosen: { route: Route; label: string } | undefined;
    for (const { href, label } of hrefs) {
      const route = this.#routeOf(href);
      if (chosen === undefined) chosen = { route, label };
      else if (chosen.route !== route) {
        throw new DavgateError('BACKEND_AMBIGUOUS', `${chosen.label} is on backend '${chosen.route.name}', ${label} on '${route.name}': send one request per backend`);
      }
    }
    return (chosen?.route ?? this.#default).backend;
  }

  /**
   * The backend a batch runs against (both faces): chosen as `select` does from its hrefs and
   * destinations, and admitted by load shedding: a saturated or failing backend refuses the
   * whole batch at once (its 503-class DavgateError, with Retry-After), before anything is sent.
   */
  forBatch(requested: string | undefined, operations: readonly BatchOperation[]): GatewayBackend {
    const backend = this.select(requested, hrefsOfOperations(operations));
    const refused = backend.refusal?.();
    if (refused !== undefined) throw refused;
    return backend;
  }

  /** The backend of that name; BACKEND_UNKNOWN otherwise. */
  named(name: string): GatewayBackend {
    const route = this.#byName.get(name);
    if (route === undefined) throw new DavgateError('BACKEND_UNKNOWN', `'${name.slice(0, 100)}' (configured: ${[...this.#byName.keys()].join(', ')})`);
    return route.backend;
  }

  /**
   * The route whose prefix the href's path starts with (the longest), else the default. The
   * path is compared in the form the backend will resolve it to (`%7e` as `%7E`, dot segments
   * resolved), as the prefixes are (config.ts), so that spelling an href otherwise neither
   * misses its backend nor reaches another one's prefix through `..`.
   */
  #routeOf(href: string): Route {
    const absolute = /^(https?:\/\/[^/?#]*)(.*)$/i.exec(href);
    const raw = (absolute === null ? href : absolute[2] ?? '').replace(/\\/g, '/');
    if (!raw.startsWith('/') || raw.startsWith('//')) return this.#default;
    const path = canonicalPath(raw);
    if (path === undefined) return this.#default;
    const origin = absolute?.[1]?.toLowerCase();
    for (const route of this.#routes) {
      if (isUnderRoot(path, route.prefix) && (origin === undefined || route.backend.origin === origin)) return route;
    }
    return this.#default;
  }
}
