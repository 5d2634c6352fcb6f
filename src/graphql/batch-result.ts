import type { Result } from '../model/result';

/** The parent of `BatchResult`: every result of a batch, in operation order. */
export interface BatchResultModel {
  readonly results: readonly Result[];
}
