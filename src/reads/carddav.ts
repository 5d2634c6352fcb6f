import { dav, NS, type ClarkName } from '../model/clark';
import { vcardToJcard } from '../formats/vcard';
import { addressbookMultigetBody, addressbookQueryBody, ADDRESS_DATA } from '../xml/report-bodies';
import { collectionInfo, CTAG, getCollection, listCollections, type CollectionInfo } from './collections';
import { multiget, type MultigetOptions, type MultigetReport, type MultigetResult } from './multiget';
import type { ObjectText } from './objects';
import { queryObjects } from './query';
import type { ReadContext } from './read';
import type { ReadResource } from './resources';

const CARDDAV = (local: string): ClarkName => `{${NS.CARDDAV}}${local}`;
const ADDRESSBOOK = CARDDAV('addressbook');
const DESCRIPTION = CARDDAV('addressbook-description');

/** What an address-book listing asks for by name (RFC 6352 §6.2). */
const ADDRESSBOOK_PROPS: readonly ClarkName[] = [dav('resourcetype'), dav('displayname'), DESCRIPTION, CTAG, dav('sync-token')];

/** An address book collection (RFC 6352 §5.2) and its properties. */
export type AddressBookInfo = CollectionInfo;

/** An address object resource (RFC 6352 §5.1): its text byte for byte, and its jCard. */
export interface ContactData {
  readonly href: string;
  readonly etag?: string;
  /** The vCard text exactly as the server sent it (CRs kept, nothing trimmed). */
  readonly vcard: string;
  /** jCard (RFC 7095); null when the text cannot be read, with the reason in `parseError`. */
  readonly jcard: unknown;
  readonly parseError?: string;
}

/** The address books in an address-book home (PROPFIND Depth 1, RFC 6352 §7.1.1), in the server's order. */
export async function listAddressBooks(ctx: ReadContext, home: string): Promise<AddressBookInfo[]> {
  return (await listCollections(ctx, home, ADDRESSBOOK_PROPS, ADDRESSBOOK)).map(addressBookInfo);
}

/** The address book at `href` (PROPFIND Depth 0); null when it is not an address book or does not exist. */
export async function getAddressBook(ctx: ReadContext, href: string): Promise<AddressBookInfo | null> {
  const resource = await getCollection(ctx, href, ADDRESSBOOK_PROPS, ADDRESSBOOK);
  return resource === null ? null : addressBookInfo(resource);
}

/**
 * Every contact of an address book (RFC 6352 §8.6 addressbook-query, Depth 1). Throws
 * UPSTREAM_STATUS when the server returns only part of them (a 507, §8.6.1 limits), and as
 * readMultiStatus does otherwise.
 */
export async function addressBookContacts(ctx: ReadContext, addressBookHref: string): Promise<ContactData[]> {
  return (await queryObjects(ctx, addressBookHref, addressbookQueryBody(), ADDRESS_DATA)).map(contact);
}

const ADDRESSBOOK_MULTIGET: MultigetReport = { body: addressbookMultigetBody, dataName: ADDRESS_DATA };

/** The contacts at `hrefs` (RFC 6352 §8.7 addressbook-multiget), asked in chunks; see multiget. */
export async function contactsMultiget(ctx: ReadContext, addressBookHref: string, hrefs: readonly string[], options: MultigetOptions = {}): Promise<MultigetResult<ContactData>> {
  return multiget(ctx, addressBookHref, hrefs, ADDRESSBOOK_MULTIGET, contact, options);
}

function addressBookInfo(resource: ReadResource): AddressBookInfo {
  return collectionInfo(resource, DESCRIPTION);
}

function contact(object: ObjectText): ContactData {
  const parsed = vcardToJcard(object.text);
  return {
    href: object.href,
    ...(object.etag === undefined ? {} : { etag: object.etag }),
    vcard: object.text,
    jcard: parsed.ok ? parsed.json : null,
    ...(parsed.ok ? {} : { parseError: parsed.error }),
  };
}
