import { hrefKey } from '../../model/href';
import { DavgateError } from '../../model/errors';
import type { Result } from '../../model/result';
import { jcalToIcs } from '../../formats/icalendar';
import { jcardToVcard } from '../../formats/vcard';
import type { MutationResolvers } from '../__generated__/resolvers-types';
import type { GraphQLContext } from '../context';
import { runOperations } from './batch';

interface ObjectWrite {
  readonly href: string;
  readonly text: string | null | undefined;
  readonly json: unknown;
  readonly ifMatch?: string | null;
  readonly ifNoneMatch?: string | null;
}

/**
 * Writes one calendar object or contact as a one-operation batch (the same executor as every
 * other write): from its text, or from jCal/jCard converted with ical.js. Exactly one of the
 * two must be given (INPUT_INVALID otherwise).
 */
async function putObject(context: GraphQLContext, write: ObjectWrite, kind: { text: string; json: string; contentType: string; toText: (json: unknown) => string }): Promise<Result> {
  const hasText = write.text !== null && write.text !== undefined;
  const hasJson = write.json !== null && write.json !== undefined;
  if (hasText === hasJson) throw new DavgateError('INPUT_INVALID', `give exactly one of ${kind.text} and ${kind.json}`, { path: hasText ? kind.json : kind.text });
  const body = hasText ? (write.text as string) : kind.toText(write.json);
  const op: Record<string, unknown> = { method: 'PUT', href: write.href, body, contentType: kind.contentType };
  if (write.ifMatch !== null && write.ifMatch !== undefined) op['ifMatch'] = write.ifMatch;
  if (write.ifNoneMatch !== null && write.ifNoneMatch !== undefined) op['ifNoneMatch'] = write.ifNoneMatch;
  const { results, backend } = await runOperations(context, [op]);
  const key = hrefKey(backend.resolveHref(write.href));
  // A PUT answers for its own href; a 207 naming others (never seen for PUT) still gives the op's own entry first.
  return results.find((r) => hrefKey(r.href) === key) ?? (results[0] as Result);
}

const CALENDAR = { text: 'ics', json: 'jcal', contentType: 'text/calendar; charset=utf-8', toText: jcalToIcs };
const CONTACT = { text: 'vcard', json: 'jcard', contentType: 'text/vcard; charset=utf-8', toText: jcardToVcard };

export const objectMutations: Pick<MutationResolvers, 'putEvent' | 'putContact'> = {
  putEvent: (_parent, args, context) => putObject(context, { href: args.href, text: args.ics, json: args.jcal, ifMatch: args.ifMatch ?? null, ifNoneMatch: args.ifNoneMatch ?? null }, CALENDAR),
  putContact: (_parent, args, context) => putObject(context, { href: args.href, text: args.vcard, json: args.jcard, ifMatch: args.ifMatch ?? null, ifNoneMatch: args.ifNoneMatch ?? null }, CONTACT),
};
