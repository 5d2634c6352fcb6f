import { fragment } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { ResponseSink } from './response-events';

/** Builds one response with xmlbuilder2; what goes into text and attribute values is up to the caller. */
export class BuilderSink implements ResponseSink {
  private current: XMLBuilder;

  /** `root`: where elements go (a new fragment by default). */
  constructor(
    private readonly textOf: (value: string, where: () => string) => string,
    private readonly attributeOf: (value: string, where: () => string) => string,
    private readonly root: XMLBuilder = fragment(),
  ) {
    this.current = root;
  }

  open(qname: string): void {
    this.current = this.current.ele(qname);
  }

  // One att() call each: an attributes object would turn an attribute named __proto__ into a prototype.
  attribute(qname: string, value: string, where: () => string): void {
    this.current.att(qname, this.attributeOf(value, where));
  }

  text(value: string, where: () => string): void {
    this.current.txt(this.textOf(value, where));
  }

  close(): void {
    this.current = this.current.up();
  }

  end(): string {
    return this.root.end();
  }
}
