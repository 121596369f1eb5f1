import { REDACTED } from "../secret.js";

/** What an error body says, whichever of Vobiz's two envelopes it uses. */
export interface ErrorEnvelope {
  readonly apiId?: string;
  readonly message?: string;
}

const EXCERPT_LENGTH = 200;

/** Markup to strip, all but the `<secret>` a redaction leaves, which is kept. */
const MARKUP = new RegExp(`<(?!${REDACTED.slice(1)})[^>]*>`, "g");

/**
 * Reads Vobiz's error bodies: `{api_id, error, message}` from the health endpoint
 * and `{status: "error", error: {code, message}, requestId}` from the general error
 * page. Anything else (an HTML page from a proxy, plain text) gives a cleaned excerpt.
 * `redact` runs on every text taken from the body, before it is shortened: no part
 * of a secret it removes survives a cut.
 */
export function readErrorEnvelope(
  body: string,
  redact: (text: string) => string = (text) => text,
): ErrorEnvelope {
  const json = tryJson(body);
  if (isObject(json)) {
    const nested = isObject(json.error) ? json.error : undefined;
    const apiId = stringOf(json.api_id) ?? stringOf(json.requestId);
    const message =
      stringOf(json.message) ??
      stringOf(nested?.message) ??
      stringOf(json.error) ??
      stringOf(nested?.code);
    return {
      apiId: apiId === undefined ? undefined : redact(apiId),
      message: message === undefined ? undefined : clean(message, redact),
    };
  }

  const excerpt = clean(body.replace(/<(script|style)[\s\S]*?<\/\1>/gi, " "), redact);
  return { message: excerpt || undefined };
}

/**
 * Strips markup and control characters, folds white space and shortens the text,
 * `redact`ing it first: the `<secret>` left in a secret's place is kept, not taken
 * for markup.
 */
function clean(text: string, redact: (text: string) => string): string {
  const plain = redact(text)
    .replace(MARKUP, " ")
    // Control characters in a body could forge log lines or terminal escapes.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > EXCERPT_LENGTH ? `${plain.slice(0, EXCERPT_LENGTH)}…` : plain;
}

function tryJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
