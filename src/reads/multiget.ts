import { dav, type ClarkName } from '../model/clark';
import { DavgateError } from '../model/errors';
import { hrefKey } from '../model/href';
import { objectEntries, type MissingObject, type ObjectEntry, type ObjectText } from './objects';
import { propfindRequest, readMultiStatus, reportRequest, type ReadContext } from './read';

/** What a multiget asks for: its REPORT body for some hrefs, and the property carrying the data. */
export interface MultigetReport {
  body(hrefs: readonly string[]): string;
  readonly dataName: ClarkName;
}

export interface MultigetOptions {
  /** Hrefs per REPORT (default 100, at most 1000: Zoho cuts answers at 1000, QUIRKS.md 9). */
  readonly chunkSize?: number;
}

/** The objects a multiget found, the hrefs it did not, and whether the server left any out silently. */
export interface MultigetResult<T> {
  /** In the order the hrefs were asked; an object the server returned under an href nobody asked for comes last. */
  readonly objects: T[];
  /** In the order asked, under the href as the caller spelled it. */
  readonly missing: MissingObject[];
  /** True when the server never mentioned some hrefs it was asked for (each is in `missing` as NOT_RETURNED). */
  readonly truncated: boolean;
}

export const DEFAULT_CHUNK_SIZE = 100;
export const MAX_CHUNK_SIZE = 1000;
/** REPORTs of one multiget in flight at once: a few, so one call cannot monopolise the backend. */
const CONCURRENCY = 3;

interface Asked {
  /** As the caller wrote it. */
  readonly href: string;
  /** Resolved under the backend root: what goes into the body (DESIGN.md invariant 3). */
  readonly path: string;
  readonly key: string;
}

/**
 * RFC 4791 §7.9 / RFC 6352 §8.7 multiget of `hrefs` in a collection, in chunks of
 * `chunkSize` with up to three REPORTs at a time. Hrefs are matched to the answer by hrefKey
 * (any spelling of one href, QUIRKS.md 16) and asked once each. An href answered with an
 * error status (a 404 inside the 207) is in `missing` with its status and result code; one
 * the server never mentioned is in `missing` as NOT_RETURNED with status null and makes
 * `truncated` true (QUIRKS.md 9). Throws INPUT_INVALID for a bad chunk size, HREF_* for an
 * href outside the backend, and readMultiStatus's errors for a failed REPORT.
 */
export async function multiget<T>(
  ctx: ReadContext,
  collectionHref: string,
  hrefs: readonly string[],
  report: MultigetReport,
  convert: (object: ObjectText) => T,
  options: MultigetOptions = {},
): Promise<MultigetResult<T>> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new DavgateError('INPUT_INVALID', `chunkSize must be a whole number from 1 to ${MAX_CHUNK_SIZE}`);
  }
  const collection = ctx.backend.resolveHref(collectionHref);
  const asked = askedOnce(ctx, hrefs);
  const sender = new ChunkSender(ctx, collection, report);
  const chunks: Asked[][] = [];
  for (let i = 0; i < asked.length; i += chunkSize) chunks.push(asked.slice(i, i + chunkSize));
  const answers = await mapLimit(chunks, CONCURRENCY, (chunk) => sender.ask(chunk));
  return collate(asked, answers.flat(), convert);
}

/** Each href resolved (refusing any outside the root before anything is sent), duplicates by key dropped. */
function askedOnce(ctx: ReadContext, hrefs: readonly string[]): Asked[] {
  const seen = new Set<string>();
  const asked: Asked[] = [];
  for (const href of hrefs) {
    const path = ctx.backend.resolveHref(href);
    const key = hrefKey(path);
    if (seen.has(key)) continue;
    seen.add(key);
    asked.push({ href, path, key });
  }
  return asked;
}

/** Sends the REPORT of one chunk, and works around servers that fail a whole multiget for one unknown href. */
class ChunkSender {
  #collectionChecked: Promise<void> | undefined;

  constructor(
    private readonly ctx: ReadContext,
    private readonly collection: string,
    private readonly report: MultigetReport,
  ) {}

  /**
   * QUIRKS.md 8: old sabre/dav answers the whole multiget 404 when one href is unknown,
   * instead of a 404 response for that href inside the 207 (RFC 4791 §7.9). Failing the
   * call would hide every object that does exist, so the chunk is halved until the unknown
   * hrefs stand alone; each of those is reported missing with 404. Halving costs about
   * 2·log2(n) requests per unknown href, against n for asking one by one. First the
   * collection itself is checked once: if it is gone, the 404 is the answer for the whole call.
   */
  async ask(chunk: readonly Asked[]): Promise<ObjectEntry[]> {
    try {
      const request = reportRequest(this.collection, undefined, this.report.body(chunk.map((a) => a.path)));
      // No Depth header: RFC 4791 §7.9 and RFC 6352 §8.7 say the server ignores it and the client should not send it.
      const { multistatus } = await readMultiStatus(this.ctx, request);
      return objectEntries(multistatus, this.report.dataName);
    } catch (error) {
      if (!(error instanceof DavgateError) || error.code !== 'NOT_FOUND') throw error;
      await this.checkCollection();
      const [first] = chunk;
      if (chunk.length === 1 && first !== undefined) {
        return [{ kind: 'failed', key: first.key, missing: { href: first.path, status: 404, code: 'NOT_FOUND' } }];
      }
      const half = Math.ceil(chunk.length / 2);
      const left = await this.ask(chunk.slice(0, half));
      return [...left, ...(await this.ask(chunk.slice(half)))];
    }
  }

  /** Throws NOT_FOUND when the collection does not exist (PROPFIND Depth 0, once per multiget). */
  private checkCollection(): Promise<void> {
    this.#collectionChecked ??= readMultiStatus(this.ctx, propfindRequest(this.collection, '0', [dav('resourcetype')])).then(() => undefined);
    return this.#collectionChecked;
  }
}

/** Matches the answers to the hrefs asked: objects and missing in asked order, extra objects last. */
function collate<T>(asked: readonly Asked[], entries: readonly ObjectEntry[], convert: (object: ObjectText) => T): MultigetResult<T> {
  const byKey = new Map<string, ObjectEntry>();
  const extras: ObjectText[] = [];
  const askedKeys = new Set(asked.map((a) => a.key));
  for (const entry of entries) {
    if (!askedKeys.has(entry.key)) {
      // Not asked for (a spelling hrefKey cannot match, or the collection itself): kept when it carries data.
      if (entry.kind === 'object') extras.push(entry.object);
    } else if (!byKey.has(entry.key)) {
      byKey.set(entry.key, entry);
    }
  }
  const objects: T[] = [];
  const missing: MissingObject[] = [];
  for (const { href, key } of asked) {
    const entry = byKey.get(key);
    if (entry === undefined) missing.push({ href, status: null, code: 'NOT_RETURNED' });
    else if (entry.kind === 'object') objects.push(convert(entry.object));
    else if (entry.kind === 'failed') missing.push({ ...entry.missing, href });
    else missing.push({ href, status: entry.status, code: 'UPSTREAM_MALFORMED' });
  }
  const truncated = missing.some((m) => m.code === 'NOT_RETURNED');
  return { objects: [...objects, ...extras.map(convert)], missing, truncated };
}

/** Runs `task` over the items with at most `limit` running at once; results in item order. */
async function mapLimit<I, O>(items: readonly I[], limit: number, task: (item: I) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array<O>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await task(items[i] as I);
      } catch (error) {
        failed = true; // the call fails as a whole: start nothing more
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
