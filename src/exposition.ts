import { setImmediate } from "node:timers/promises";

import type { NumberOutcome } from "./collect/outcome.js";
import type { NumberMetricsRenderer, TextBatch } from "./metrics/render.js";
import type { ExpositionFormat } from "./metrics/text-format.js";

/** One answer for `/metrics`. */
export interface Exposition {
  readonly body: string;
  readonly contentType: string;
}

/** One answer for `/metrics`, its text made batch by batch as the batches are taken. */
export interface StreamedExposition {
  readonly contentType: string;
  readonly chunks: AsyncIterable<TextBatch>;
  /** Called once the chunks have been sent or abandoned: their buffers are reused. */
  readonly release: () => void;
}

/** The exporter-wide metrics that follow the per-number families, from prom-client. */
export interface ExporterWideText {
  /** The process and Node.js metrics, read as the scrape began; no OpenMetrics `# EOF`. */
  readonly process: Promise<string | undefined>;
  /** The exporter's own metrics, read once the numbers' text is out. */
  readonly own: () => Promise<string | undefined>;
}

/**
 * The text of one answer: the per-number families, written by `renderer` rather than
 * by prom-client (whose serialiser made ~110 MB of garbage per 10,000-number scrape,
 * docs/performance.md), then the exporter-wide metrics, if any.
 */
export async function* expositionText(
  renderer: NumberMetricsRenderer,
  outcomes: readonly NumberOutcome[],
  format: ExpositionFormat,
  exporterWide?: ExporterWideText,
): AsyncGenerator<TextBatch, void, undefined> {
  let wroteAny = false;
  for (const batch of renderer.pieces(outcomes)) {
    wroteAny = true;
    yield batch;
  }

  // prom-client separates families by a blank line in the text format only, and its
  // OpenMetrics text ends with the one `# EOF` allowed, which the process metrics'
  // text comes without.
  const shared =
    exporterWide === undefined
      ? []
      : [await exporterWide.process, await exporterWide.own()];
  const texts = shared.filter((text) => text !== undefined);
  const separator = format === "text" ? "\n" : "";
  if (texts.length > 0) yield [(wroteAny ? separator : "") + texts.join(separator)];
  else if (format === "openmetrics") yield ["# EOF\n"];
}

/**
 * `read()` once the I/O already pending has been seen to. Its failure is left to
 * whoever awaits the result, and is no unhandled rejection when nobody does: a scrape
 * that fails or is abandoned first never asks for it.
 */
export function afterPendingIo<T>(read: () => Promise<T>): Promise<T> {
  const result = setImmediate().then(read);
  result.catch(() => undefined);
  return result;
}

/** The whole text of a streamed exposition, for callers that want it at once. */
export async function joined(exposition: StreamedExposition): Promise<Exposition> {
  const parts: string[] = [];
  try {
    for await (const batch of exposition.chunks) {
      for (const piece of batch) {
        parts.push(typeof piece === "string" ? piece : piece.toString("utf8"));
      }
    }
  } finally {
    exposition.release();
  }
  return { body: parts.join(""), contentType: exposition.contentType };
}
