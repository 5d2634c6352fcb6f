import { fragment } from 'xmlbuilder2';
import type { DavResponse, MultiStatus } from '../model/multistatus';
import { escapeText } from './escape';
import { PrefixTable } from './prefixes';
import { emitResponse, type ResponseSink } from './response-events';
import { documentShell, ShapeTemplates } from './templates';

/** Distinct response shapes kept per document; past that, responses are built one by one. */
const MAX_TEMPLATES = 256;

/** Options for building. */
export interface BuildOptions {
  /** Reuse xmlbuilder2's serialization of each distinct response shape (default true). */
  readonly templates?: boolean;
}

/**
 * The multistatus as pieces of text: the prolog and root start tag, one piece per response,
 * then the closing part. The namespaces are declared once on the root, so each response is
 * built on its own: one xmlbuilder2 document for a whole large listing is superlinear in time
 * and memory (HARDENING.md). Never writes a response with both a status and propstats.
 */
export function* buildMultiStatusChunks(ms: MultiStatus, options: BuildOptions = {}): Generator<string> {
  const prefixes = PrefixTable.of(ms);
  const [head, tail] = documentShell('D:multistatus', prefixes.declarations());
  yield head;
  const writer = new ResponseWriter(prefixes, options.templates ?? true);
  let index = 0;
  for (const response of ms.responses) yield writer.write(response, index++);
  if (ms.description !== undefined || ms.syncToken !== undefined) {
    const top = fragment();
    if (ms.description !== undefined) top.ele('D:responsedescription').txt(escapeText(ms.description, () => 'the responsedescription'));
    if (ms.syncToken !== undefined) top.ele('D:sync-token').txt(escapeText(ms.syncToken, () => 'the sync-token'));
    yield top.end();
  }
  yield tail;
}

/** The whole multistatus document as one string. */
export function buildMultiStatus(ms: MultiStatus, options: BuildOptions = {}): string {
  return Array.from(buildMultiStatusChunks(ms, options)).join('');
}

/** Writes responses, from shape templates unless told not to (ShapeTemplates). */
class ResponseWriter {
  private readonly templates = new ShapeTemplates(MAX_TEMPLATES, 'direct');

  constructor(
    private readonly prefixes: PrefixTable,
    private readonly useTemplates: boolean,
  ) {}

  write(response: DavResponse, index: number): string {
    const emit = (sink: ResponseSink) => emitResponse(response, index, this.prefixes, sink);
    return this.useTemplates ? this.templates.write(emit) : ShapeTemplates.direct(emit);
  }
}
