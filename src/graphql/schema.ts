import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** schema.graphql at the repository root, the only SDL (two folders up from both src/graphql and dist/graphql). */
export const SCHEMA_PATH = join(__dirname, '..', '..', 'schema.graphql');

let cached: string | undefined;

/** The SDL text, read once. */
export function typeDefs(): string {
  return (cached ??= readFileSync(SCHEMA_PATH, 'utf8'));
}
