import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The metadata recorded beside each fixture body (test/fixtures/capture, test/fixtures/rfc). */
export interface FixtureMeta {
  readonly method: string;
  readonly status: number;
  readonly contentType?: string | null;
  readonly notes?: string;
}

export interface Fixture {
  readonly name: string;
  readonly body: Buffer;
  readonly meta: FixtureMeta;
}

const ROOT = join(__dirname, '..', 'fixtures');

/** One recorded body and its metadata, e.g. fixture('servers', 'apache-delete-locked-member'). */
export function fixture(folder: 'servers' | 'rfc', name: string): Fixture {
  const base = join(ROOT, folder, name);
  return { name, body: readFileSync(`${base}.xml`), meta: JSON.parse(readFileSync(`${base}.json`, 'utf8')) as FixtureMeta };
}

/** Every fixture of a folder whose body is a multistatus document. */
export function multistatusFixtures(folder: 'servers' | 'rfc'): Fixture[] {
  return readdirSync(join(ROOT, folder))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => fixture(folder, f.slice(0, -4)))
    .filter((f) => /<([A-Za-z0-9_-]+:)?multistatus[\s>/]/.test(f.body.toString('utf8')));
}
