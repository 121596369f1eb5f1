/**
 * The pieces of the Prometheus text format (0.0.4) and OpenMetrics 1.0.0 that the
 * exporter writes itself for its per-number families. Each piece is written exactly as
 * prom-client 15's registry writes it, so that the exposition is the same byte for
 * byte whichever of the two wrote a family (test/exposition.test.ts compares them).
 */

/** Which of the two text formats an exposition is written in. */
export type ExpositionFormat = "text" | "openmetrics";

/** Content types, the same strings as prom-client's `Registry` constants. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/** Escapes HELP text and names: backslash and newline, as prom-client does. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Escapes a label value: backslash, newline and double quote. */
export function escapeLabelValue(value: string): string {
  return escapeHelp(value).replace(/"/g, '\\"');
}

/** `name="value"` pairs in the object's own key order, joined with commas. */
export function formatLabelPairs(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(",");
}

/**
 * A sample value as prom-client prints it: JavaScript's own number formatting, and
 * `+Inf`, `-Inf` and `Nan` (prom-client's spelling; Prometheus parses it either way).
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return `${value}`;
}

/**
 * The `# HELP` and `# TYPE` lines of a family, each ending in a newline. In OpenMetrics
 * a counter's family name drops `_total`, which its samples keep.
 */
export function familyHeader(
  name: string,
  help: string,
  type: "gauge" | "counter",
  format: ExpositionFormat,
): string {
  const family = escapeHelp(
    format === "openmetrics" && type === "counter" ? name.replace(/_total$/, "") : name,
  );
  return `# HELP ${family} ${escapeHelp(help)}\n# TYPE ${family} ${type}\n`;
}

/** What goes before every family but the first: a blank line in the text format. */
export function familySeparator(format: ExpositionFormat): string {
  return format === "text" ? "\n" : "";
}
