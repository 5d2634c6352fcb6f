import { DavgateError } from '../../src/model/errors';

/** The INPUT_INVALID DavgateError `f` throws (fails the test when it throws anything else or nothing). */
export function inputError(f: () => unknown): DavgateError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(DavgateError);
    expect((error as DavgateError).code).toBe('INPUT_INVALID');
    return error as DavgateError;
  }
  throw new Error('expected INPUT_INVALID');
}
