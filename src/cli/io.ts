/** The streams a command uses, injected so tests run commands in-process. */
export interface Io {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** A mistake in the command line itself: exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
