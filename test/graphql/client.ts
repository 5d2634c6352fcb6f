import type { TestGateway } from '../rest/gateway';

/** A GraphQL answer over HTTP: the status, the parsed body and the raw text. */
export interface GraphQLAnswer<T = Record<string, unknown>> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; path?: unknown[]; extensions?: { code?: string; [key: string]: unknown } }[] | undefined;
  body: string;
  headers: Headers;
}

/** POSTs a GraphQL operation to the gateway's /graphql, as a frontend app would. */
export async function graphql<T = Record<string, unknown>>(gw: TestGateway, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLAnswer<T>> {
  const res = await fetch(`${await gw.url()}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.text();
  const parsed = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(body) as { data?: T | null; errors?: GraphQLAnswer['errors'] }) : {};
  return { status: res.status, data: parsed.data, errors: parsed.errors, body, headers: res.headers };
}

/** The selection every batch test asks for: each member's fields, by kind. */
export const RESULT_FIELDS = `
  __typename
  ... on HrefResult { href status operationId operationIndex description }
  ... on Success { etag location lockToken properties { name status missing text } }
  ... on Created { etag location lockToken }
  ... on Locked { condition lockHrefs }
  ... on Error { code condition retryable detail properties { name status missing } }
`;

/** The data of an answer that must have some; fails the test with the errors otherwise. */
export function dataOf<T>(answer: GraphQLAnswer<T>): T {
  if (answer.data === null || answer.data === undefined) throw new Error(`no data: ${answer.body}`);
  return answer.data;
}
