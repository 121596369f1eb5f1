import { timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";

const REDACTED = "<secret>";

/**
 * A credential whose every printed form is `<secret>`: string conversion, JSON,
 * `util.inspect` (and so pino and console). Only `reveal()` gives the value, and only
 * the code that builds upstream requests calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The real value, for the request builder alone. */
  reveal(): string {
    return this.#value;
  }

  /**
   * `text` with every copy of the value replaced by `<secret>`: for what others say
   * back, such as an upstream error message that quotes the token it refused.
   */
  redactFrom(text: string): string {
    return this.#value === "" ? text : text.split(this.#value).join(REDACTED);
  }

  /** Whether two secrets hold the same value, without revealing either. */
  equals(other: Secret): boolean {
    const a = Buffer.from(this.#value);
    const b = Buffer.from(other.#value);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export { REDACTED };
