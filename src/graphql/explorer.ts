/**
 * The GraphQL explorer davgate serves at `GET /graphql`: GraphiQL 3, the last major that ships a
 * prebuilt browser bundle (UMD, CodeMirror 5, no web workers), on React 18's UMD builds. Every
 * file comes from node_modules through the gateway itself, so the explorer works with no
 * internet access, and the page's Content-Security-Policy would block a CDN load anyway.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { FastifyInstance, FastifyRequest, RawServerDefault, RouteGenericInterface, RouteHandlerMethod } from 'fastify';

/** Where the explorer's files are served. */
const EXPLORER_PATH = '/graphql/explorer';

/**
 * Only the gateway's own origin. `data:` for fonts and images because GraphiQL's stylesheet
 * embeds its fonts (Roboto, Fira Code) and icons as data URIs. No 'unsafe-eval', no workers,
 * no wasm: the bundles need none of them. No 'unsafe-inline' either: the one inline style
 * GraphiQL writes is the scroll lock of its dialogs (settings, shortcuts), which the browser
 * then refuses with a console message, harmlessly, since the page never scrolls.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A file of the explorer: its media type and where its bytes come from. */
interface Asset {
  readonly type: string;
  readonly source: { readonly package: string; readonly file: string } | { readonly text: string };
}

const JS = 'text/javascript; charset=utf-8';

/**
 * Renders GraphiQL against the URL the page was served from, so the explorer keeps working
 * behind a proxy that mounts the gateway under a prefix. Layout through CSSOM, which
 * `style-src 'self'` allows (an inline `<style>` it would not).
 */
const INIT_JS = `'use strict';
(function () {
  var root = document.getElementById('graphiql');
  document.body.style.margin = '0';
  document.body.style.overflow = 'hidden';
  root.style.height = '100vh';
  var fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher: fetcher }));
})();
`;

const ASSETS: Readonly<Record<string, Asset>> = {
  'react.js': { type: JS, source: { package: 'react', file: 'umd/react.production.min.js' } },
  'react-dom.js': { type: JS, source: { package: 'react-dom', file: 'umd/react-dom.production.min.js' } },
  'graphiql.js': { type: JS, source: { package: 'graphiql', file: 'graphiql.min.js' } },
  'graphiql.css': { type: 'text/css; charset=utf-8', source: { package: 'graphiql', file: 'graphiql.min.css' } },
  'init.js': { type: JS, source: { text: INIT_JS } },
};

/** Relative URLs: the page lives at `/graphql`, so they resolve under `/graphql/explorer/`. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>davgate GraphQL explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="graphql/explorer/graphiql.css">
</head>
<body>
<div id="graphiql">Loading the explorer…</div>
<script src="graphql/explorer/react.js"></script>
<script src="graphql/explorer/react-dom.js"></script>
<script src="graphql/explorer/graphiql.js"></script>
<script src="graphql/explorer/init.js"></script>
</body>
</html>
`;

/**
 * Whether a request to `/graphql` is a browser asking for a page: a GET without a `query`
 * parameter whose Accept ranks text/html above JSON (RFC 9110 §12.5.1; on a tie, as with a
 * bare wildcard, JSON wins). Anything else is a GraphQL request for Apollo.
 */
function wantsExplorer(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.headers.accept === undefined) return false;
  const search = request.url.indexOf('?');
  if (search !== -1 && new URLSearchParams(request.url.slice(search + 1)).has('query')) return false;
  return request.accepts().type(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

/** A route whose handler answers with text, as Apollo's fastify handler does. */
type TextRoute = RouteGenericInterface & { Reply: string };
type TextHandler = RouteHandlerMethod<RawServerDefault, IncomingMessage, ServerResponse, TextRoute>;

/** Answers the explorer page where `wantsExplorer`, and hands every other request to `graphql`. */
export function withExplorer(graphql: TextHandler): TextHandler {
  return function handler(this: FastifyInstance, request, reply) {
    if (!wantsExplorer(request)) return graphql.call(this, request, reply);
    void reply
      .header('content-security-policy', EXPLORER_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'accept')
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8');
    return PAGE;
  };
}

/**
 * Serves the explorer's files at `/graphql/explorer/<name>`. Their paths are resolved now, so
 * a broken install fails at startup; each is read once, on first request.
 */
export function registerExplorerAssets(app: FastifyInstance): void {
  for (const [name, asset] of Object.entries(ASSETS)) {
    const read = reader(asset.source);
    let body: Promise<Buffer | string> | undefined;
    app.get(`${EXPLORER_PATH}/${name}`, async (_request, reply) => {
      body ??= read();
      return reply
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=3600')
        .type(asset.type)
        .send(await body);
    });
  }
}

function reader(source: Asset['source']): () => Promise<Buffer | string> {
  if ('text' in source) return async () => source.text;
  // Through package.json, the one subpath all three packages export.
  const file = path.join(path.dirname(require.resolve(`${source.package}/package.json`)), source.file);
  return () => readFile(file);
}
