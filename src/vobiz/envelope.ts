/** What an error body says, whichever of Vobiz's two envelopes it uses. */
export interface ErrorEnvelope {
  readonly apiId?: string;
  readonly message?: string;
}

const EXCERPT_LENGTH = 200;

/**
 * Reads Vobiz's error bodies: `{api_id, error, message}` from the health endpoint
 * and `{status: "error", error: {code, message}, requestId}` from the general error
 * page. Anything else (an HTML page from a proxy, plain text) gives a cleaned excerpt.
 */
export function readErrorEnvelope(body: string): ErrorEnvelope {
  const json = tryJson(body);
  if (isObject(json)) {
    const nested = isObject(json.error) ? json.error : undefined;
    const apiId = stringOf(json.api_id) ?? stringOf(json.requestId);
    const message =
      stringOf(json.message) ??
      stringOf(nested?.message) ??
      stringOf(json.error) ??
      stringOf(nested?.code);
    return { apiId, message: message === undefined ? undefined : clean(message) };
  }

  const excerpt = clean(body.replace(/<(script|style)[\s\S]*?<\/\1>/gi, " "));
  return { message: excerpt || undefined };
}

/** Strips markup and control characters, folds white space and shortens the text. */
function clean(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, " ")
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
