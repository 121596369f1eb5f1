/**
 * True when the `Accept` header prefers OpenMetrics over the text format 0.0.4, as
 * Prometheus's own header does. A q of 0 means "not acceptable".
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;

  let openMetrics = 0;
  let text = 0;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const q = qualityOf(params);
    if (type === "application/openmetrics-text") openMetrics = Math.max(openMetrics, q);
    if (type === "text/plain") text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text;
}

function qualityOf(params: readonly string[]): number {
  const q = params.find((p) => p.startsWith("q="));
  if (q === undefined) return 1;
  const value = Number.parseFloat(q.slice(2));
  return Number.isFinite(value) ? value : 0;
}
