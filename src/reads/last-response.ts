import type { UpstreamResponse } from '../upstream/types';
import type { ReadContext } from './read';

/**
 * A ReadContext that remembers the last answer its backend gave, for reads whose policy
 * needs more than readMultiStatus's error code: the Location of a redirect (discovery), the
 * exact status and DAV:error of a refused sync (sync-collection).
 */
export function recordingContext(ctx: ReadContext): { ctx: ReadContext; last: () => UpstreamResponse | undefined } {
  let last: UpstreamResponse | undefined;
  const backend = ctx.backend;
  return {
    ctx: {
      options: ctx.options,
      backend: {
        origin: backend.origin,
        root: backend.root,
        resolveHref: (href) => backend.resolveHref(href),
        send: async (request, options) => {
          last = undefined;
          last = await backend.send(request, options);
          return last;
        },
      },
    },
    last: () => last,
  };
}
