import type { YAMLError } from "yaml";

/**
 * A YAML syntax error told without the text it is about: an invalid escape such as
 * `"\UABCDEFGH…"` would otherwise repeat up to eight characters of what may be a token
 * in every log line and reload answer that reports it. The position says where.
 */
export function yamlSyntaxMessage(error: YAMLError): string {
  if (error.code === "BAD_DQ_ESCAPE") {
    return (
      "YAML syntax error: invalid escape sequence in a double-quoted string; write a " +
      "backslash as \\\\, or quote the value with single quotes"
    );
  }
  return `YAML syntax error: ${error.message}`;
}
