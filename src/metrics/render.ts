import { Buffer } from "node:buffer";

import type { Metric as PromMetric, Registry, RegistryContentType } from "prom-client";

import type { Labels } from "../config/types.js";
import type { NumberOutcome } from "../collect/outcome.js";
import { registryMetric } from "./family.js";
import { closeLabels, extraLabel, withLabel } from "./label-sets.js";
import {
  FAMILIES,
  viewOf,
  type Emit,
  type FamilySpec,
  type NumberView,
  type RenderOptions,
} from "./number-families.js";
import { SLAB_BYTES, type SlabPool } from "./slab-pool.js";
import {
  familyHeader,
  familySeparator,
  formatValue,
  type ExpositionFormat,
} from "./text-format.js";

/**
 * Pieces of text made and ready, sent together: a batch is written at once, and the
 * next is asked for once the connection has taken it.
 */
export type TextBatch = readonly (string | Buffer)[];

/** About how long each piece of text written as it is sent is, in characters. */
const CHUNK_CHARS = 64 * 1024;

/** How much of one family's text is kept as a string before it is encoded to bytes. */
const FLUSH_CHARS = 2 * 1024;

/** How much longer than the first number's text the others' may be, in buffers reserved. */
const RESERVE_MARGIN = 1.05;

/**
 * Writes the series of one number and one family at a time onto {@link text}, as
 * prom-client's registry writes them. The family's HELP and TYPE go before its first
 * series, if any, once {@link header} is set.
 */
class SeriesWriter {
  text = "";
  /** The family's HELP and TYPE, until its first series is written after them. */
  header: string | undefined;
  #name = "";
  #prefix = "";

  readonly #emit: Emit = (value, extraName, extraValue = "") => {
    if (value === undefined) return;
    if (this.header !== undefined) {
      this.text += this.header;
      this.header = undefined;
    }
    const prefix = this.#prefix;
    const rest =
      extraName === undefined
        ? closeLabels(prefix)
        : extraLabel(prefix, extraName, extraValue);
    this.text += `${this.#name}${prefix}${rest}${formatValue(value)}\n`;
  };

  write(family: FamilySpec, view: NumberView): void {
    this.#name = family.definition.name;
    this.#prefix = view.prefix;
    family.series(view, this.#emit);
  }
}

/** One family's early-rendered text: bytes in slabs, then a string not yet encoded. */
interface EarlyText {
  /** The text of the slabs filled before the current one, each cut to its bytes. */
  readonly filled: Buffer[];
  /** The slab being filled, and how many of its bytes are written. */
  current: Buffer | undefined;
  used: number;
  tail: string;
}

/**
 * The per-number metrics of one scrape, rendered as the numbers' outcomes arrive
 * rather than all once the last has: while the scrape waits for its slowest answers,
 * the lines of those already read are written, family by family, into buffers from
 * `pool`, so that little is left to do when the answer is sent. Numbers are rendered
 * early in order, from the first. Once the first is rendered, the scrape reserves the
 * buffers its whole text needs, judged by the first number's, or renders nothing more
 * early: a scrape that would still write most of its text at the end gains little
 * from the rest, and would hold the buffers all the same. Whatever is not rendered
 * early is written as the answer is sent. {@link pieces} gives the text once;
 * {@link release} then gives the buffers back.
 */
export class NumberMetricsRenderer {
  readonly #options: RenderOptions;
  readonly #format: ExpositionFormat;
  readonly #pool: SlabPool | undefined;
  readonly #writer = new SeriesWriter();
  readonly #early: EarlyText[] = FAMILIES.map(() => ({
    filled: [],
    current: undefined,
    used: 0,
    tail: "",
  }));
  /** Every buffer reserved, for {@link release}. */
  #reserved: readonly Buffer[] = [];
  /** Reserved buffers not written to yet; undefined until the reservation is made. */
  #spare: Buffer[] | undefined;
  #rendered = 0;
  #exhausted: boolean;

  constructor(options: RenderOptions, format: ExpositionFormat, pool?: SlabPool) {
    this.#options = options;
    this.#format = format;
    this.#pool = pool;
    this.#exhausted = pool === undefined;
  }

  /**
   * Renders the outcomes known so far (the missing ones undefined), from the first not
   * yet rendered up to the first still missing, while the pool lasts.
   */
  advance(outcomes: readonly (NumberOutcome | undefined)[]): void {
    const writer = this.#writer;
    while (!this.#exhausted) {
      const outcome = outcomes[this.#rendered];
      if (outcome === undefined) return;
      const view = viewOf(outcome, this.#options);
      for (let f = 0; f < FAMILIES.length; f += 1) {
        const early = this.#early[f]!;
        writer.text = early.tail;
        writer.write(FAMILIES[f]!, view);
        early.tail = writer.text;
        if (this.#spare !== undefined && early.tail.length >= FLUSH_CHARS) {
          this.#flush(early);
        }
      }
      this.#rendered += 1;
      if (this.#spare === undefined) this.#reserve(outcomes.length);
    }
  }

  /**
   * Reserves the buffers that `count` numbers like the first take, family by family,
   * with a little room for longer ones; or stops rendering early.
   */
  #reserve(count: number): void {
    let wanted = 0;
    for (const early of this.#early) {
      const bytes = RESERVE_MARGIN * Buffer.byteLength(early.tail) * count;
      // A family's text too short to be encoded is sent as the string it stays.
      if (bytes >= FLUSH_CHARS) wanted += Math.ceil(bytes / (SLAB_BYTES - FLUSH_CHARS));
    }
    const slabs = this.#pool?.reserve(wanted);
    if (slabs === undefined) {
      this.#exhausted = true;
      return;
    }
    this.#reserved = slabs;
    this.#spare = [...slabs];
  }

  /**
   * Encodes a family's string into its slabs. Out of slabs, the string stays as it is,
   * to be sent as text, and early rendering stops.
   */
  #flush(early: EarlyText): void {
    let slab = early.current;
    if (slab === undefined || SLAB_BYTES - early.used < Buffer.byteLength(early.tail)) {
      slab = this.#spare?.pop();
      if (slab === undefined) {
        this.#exhausted = true;
        return;
      }
      if (early.current !== undefined) {
        early.filled.push(early.current.subarray(0, early.used));
      }
      early.current = slab;
      early.used = 0;
    }
    early.used += slab.write(early.tail, early.used, "utf8");
    early.tail = "";
  }

  /**
   * The whole text of `outcomes`, in batches of pieces: for each family, its HELP and
   * TYPE, the lines rendered early, then those of the numbers not rendered early. What
   * is already made goes into one batch; the lines not rendered early are written as
   * the batches are taken, about 64 KB at a time, each ending its batch, so that a
   * caller that takes the next batch only once the last has been sent holds little.
   */
  *pieces(outcomes: readonly NumberOutcome[]): Generator<TextBatch, void, undefined> {
    const rest = outcomes.slice(this.#rendered).map((o) => viewOf(o, this.#options));
    const writer = this.#writer;
    // Text runs on from family to family, so that a small scrape is a piece or two,
    // not one piece a family: every piece is an HTTP chunk, and a copy, of its own.
    writer.text = "";
    let batch: (string | Buffer)[] = [];
    let anyFamily = false;

    for (let f = 0; f < FAMILIES.length; f += 1) {
      const family = FAMILIES[f]!;
      const { definition, type } = family;
      const header = familyHeader(definition.name, definition.help, type, this.#format);
      writer.header = anyFamily ? familySeparator(this.#format) + header : header;

      const { filled, current, used, tail } = this.#early[f]!;
      if (current !== undefined) {
        batch.push(writer.text + writer.header, ...filled, current.subarray(0, used));
        writer.text = "";
        writer.header = undefined;
      }
      if (tail !== "") {
        // The header goes first when no slab took it.
        writer.text += (writer.header ?? "") + tail;
        writer.header = undefined;
      }
      for (const view of rest) {
        writer.write(family, view);
        if (writer.text.length >= CHUNK_CHARS) {
          batch.push(writer.text);
          writer.text = "";
          yield batch;
          batch = [];
        }
      }
      if (writer.header === undefined) anyFamily = true;
    }
    if (writer.text !== "") batch.push(writer.text);
    if (batch.length > 0) yield batch;
  }

  /**
   * Gives the buffers back to the pool, once the pieces from {@link pieces} have been
   * sent or abandoned: they are reused by the next scrape.
   */
  release(): void {
    this.#pool?.give(this.#reserved);
    this.#reserved = [];
    this.#spare = [];
    for (const early of this.#early) {
      early.filled.length = 0;
      early.current = undefined;
    }
  }
}

/**
 * The text of the per-number metrics of one scrape, in pieces of about 64 KB, written
 * as a prom-client registry would write them. Only the numbers in `outcomes` appear, so
 * numbers no longer monitored vanish at once. The text is made as it is taken: a
 * 10,000-number scrape has 310,000 series and 27 MB of text, none of which has to be
 * held at once when the pieces are sent as they come. Scrapes render early, through
 * {@link NumberMetricsRenderer}, to the same text.
 */
export function* numberMetricsText(
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
  format: ExpositionFormat,
): Generator<string, void, undefined> {
  for (const batch of new NumberMetricsRenderer(options, format).pieces(outcomes)) {
    for (const piece of batch) {
      yield typeof piece === "string" ? piece : piece.toString("utf8");
    }
  }
}

/**
 * Registers the per-number metrics of `outcomes` in `registry`, a registry made for
 * them alone, for pages that show a few numbers' series. Scrapes use
 * {@link numberMetricsText}, which writes the same text with far less garbage.
 */
export function addNumberMetrics(
  registry: Registry<RegistryContentType>,
  outcomes: readonly NumberOutcome[],
  options: RenderOptions,
): void {
  const views = outcomes.map((outcome) => viewOf(outcome, options));
  for (const { definition, type, series } of FAMILIES) {
    const labelSets: Labels[] = [];
    const values: number[] = [];
    for (const view of views) {
      series(view, (value, extraName, extraValue = "") => {
        if (value === undefined) return;
        const { labels } = view;
        labelSets.push(
          extraName === undefined ? labels : withLabel(labels, extraName, extraValue),
        );
        values.push(value);
      });
    }
    if (values.length === 0) continue;
    const metric = registryMetric(definition, type, labelSets, values);
    registry.registerMetric(metric as unknown as PromMetric);
  }
}
