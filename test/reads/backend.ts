import { randomBytes } from 'node:crypto';
import { UpstreamClient } from '../../src/upstream/client';
import { DEFAULT_LIMITS } from '../../src/upstream/backend';
import type { ReadContext } from '../../src/reads/read';
import { basicAuth, basicCredentials, type ServerInfo, testServers } from '../servers';

/** An upstream client for a test server with its Basic credentials configured, and a read context over it. */
export function readContext(info: ServerInfo): { ctx: ReadContext; client: UpstreamClient } {
  const client = new UpstreamClient({ name: 'test', url: info.url, auth: basicCredentials(info), limits: { ...DEFAULT_LIMITS } });
  return { ctx: { backend: client, options: {} }, client };
}

/** Radicale's base URL, alice's Basic header, and a fresh collection name so tests never share state. */
export function radicale(): { info: ServerInfo; authorization: string; unique: (prefix: string) => string } {
  const info = testServers().radicale;
  return { info, authorization: basicAuth(info), unique: (prefix) => `${prefix}-${randomBytes(4).toString('hex')}` };
}
