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
