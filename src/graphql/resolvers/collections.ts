import { calendarEvents, calendarMultiget, getCalendar, listCalendars } from '../../reads/caldav';
import { addressBookContacts, contactsMultiget, getAddressBook, listAddressBooks } from '../../reads/carddav';
import { discoverPrincipal } from '../../reads/discovery';
import type { ReadContext } from '../../reads/read';
import type { QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { readContext } from '../context';

/**
 * The homes to list: the one given, or every home set discovery finds (RFC 6764, RFC 4791
 * §6.2.1 and RFC 6352 §7.1.1 allow several).
 */
async function homes(ctx: ReadContext, home: string | null | undefined, which: 'calendarHomeSet' | 'addressBookHomeSet'): Promise<readonly string[]> {
  if (home !== null && home !== undefined) return [home];
  return (await discoverPrincipal(ctx))[which];
}

/** CalDAV and CardDAV collections and what is in them (src/reads/caldav.ts, carddav.ts do the protocol). */
export const collectionQueries: Pick<QueryResolvers, 'calendars' | 'calendar' | 'addressBooks' | 'addressBook'> = {
  async calendars(_parent, args, context) {
    const ctx = readContext(context, args.home ?? undefined);
    return (await Promise.all((await homes(ctx, args.home, 'calendarHomeSet')).map((home) => listCalendars(ctx, home)))).flat();
  },
  calendar: (_parent, args, context) => getCalendar(readContext(context, args.href), args.href),
  async addressBooks(_parent, args, context) {
    const ctx = readContext(context, args.home ?? undefined);
    return (await Promise.all((await homes(ctx, args.home, 'addressBookHomeSet')).map((home) => listAddressBooks(ctx, home)))).flat();
  },
  addressBook: (_parent, args, context) => getAddressBook(readContext(context, args.href), args.href),
};

export const collectionTypes: Pick<Resolvers, 'Calendar' | 'AddressBook'> = {
  Calendar: {
    events: (calendar, args, context) => calendarEvents(readContext(context, calendar.href), calendar.href, { ...(args.start === null || args.start === undefined ? {} : { start: args.start }), ...(args.end === null || args.end === undefined ? {} : { end: args.end }) }),
    objects: (calendar, args, context) => calendarMultiget(readContext(context, calendar.href), calendar.href, args.hrefs),
  },
  AddressBook: {
    contacts: (book, _args, context) => addressBookContacts(readContext(context, book.href), book.href),
    async contactsByHref(book, args, context) {
      const { objects, missing, truncated } = await contactsMultiget(readContext(context, book.href), book.href, args.hrefs);
      return { contacts: objects, missing, truncated };
    },
  },
};
