import { Buffer } from "node:buffer";

import type { Metric as PromMetric, Registry, RegistryContentType } from "prom-client";

import type { AnswerRateUnit, Granularity, Labels } from "../config/types.js";
import type { NumberOutcome } from "../collect/outcome.js";
import { FAILURE_REASONS, type FailureReason } from "../vobiz/errors.js";
import type { NumberHealth, Snapshot } from "../vobiz/health.js";
import { answerRatio, newestCompletePeriod } from "./answer-ratio.js";
import { registryMetric } from "./family.js";
import { closeLabels, extraLabel, labelPrefix, withLabel } from "./label-sets.js";
import {
  KNOWN_STATUSES,
  KNOWN_USAGE_STATUSES,
  NUMBER_METRICS,
  type MetricDefinition,
} from "./names.js";
import {
  familyHeader,
  familySeparator,
  formatValue,
  type ExpositionFormat,
} from "./text-format.js";

/** How health answers are read into metrics. */
export interface RenderOptions {
  readonly answerRateUnit: AnswerRateUnit;
  readonly granularity: Granularity;
  /** When the scrape began, which decides which snapshot period is complete. */
  readonly nowMs: number;
}

/** What the families read of one number in one scrape, worked out once. */
interface NumberView {
  readonly labels: Labels;
  /** The label text up to the closing brace, kept across scrapes. */
  readonly prefix: string;
  readonly outcome: NumberOutcome;
  readonly health?: NumberHealth;
  readonly answerRatio?: number;
  /** The newest snapshot whose period has ended. */
  readonly period?: Snapshot;
  readonly periodAnswerRatio?: number;
  readonly granularity: Granularity;
}

/** Takes one series: its value (none leaves the series out) and an extra label. */
type Emit = (value: number | undefined, extraName?: string, extraValue?: string) => void;

interface FamilySpec {
  readonly definition: MetricDefinition;
  readonly type: "gauge" | "counter";
  /** Emits the number's series of this family, in order. */
  readonly series: (view: NumberView, emit: Emit) => void;
}

const gauge = (
  definition: MetricDefinition,
  series: FamilySpec["series"],
): FamilySpec => ({ definition, type: "gauge", series });

/** A family with one series per number, labelled `granularity`, from its last period. */
const lastPeriod = (
  definition: MetricDefinition,
  value: (period: Snapshot, view: NumberView) => number | undefined,
): FamilySpec =>
  gauge(definition, (view, emit) => {
    if (view.period === undefined) return;
    emit(value(view.period, view), "granularity", view.granularity);
  });

const M = NUMBER_METRICS;

/**
 * The per-number families in the order they are written, the error counter last. A
 * field missing from the answer leaves its series out; it is never reported as 0.
 */
const FAMILIES: readonly FamilySpec[] = [
  gauge(M.up, (v, emit) => emit(v.health === undefined ? 0 : 1)),
  gauge(M.calls, (v, emit) => emit(v.health?.summary.totalCalls)),
  gauge(M.answeredCalls, (v, emit) => emit(v.health?.summary.answeredCalls)),
  gauge(M.answerRatio, (v, emit) => emit(v.answerRatio)),
  gauge(M.callTime, (v, emit) => emit(times60(v.health?.summary.totalMinutes))),
  gauge(M.averageDuration, (v, emit) => emit(v.health?.summary.avgDuration)),
  gauge(M.window, (v, emit) => {
    const days = v.health?.summary.periodDays;
    emit(days === undefined ? undefined : days * 86_400);
  }),
  gauge(M.spam, (v, emit) => {
    const spam = v.health?.isSpam;
    emit(spam === undefined ? undefined : spam ? 1 : 0);
  }),
  gauge(M.status, (v, emit) => {
    const current = v.health?.status;
    if (current === undefined) return;
    for (const status of stateSet(KNOWN_STATUSES, current)) {
      emit(status === current ? 1 : 0, "status", status);
    }
  }),
  gauge(M.usageStatus, (v, emit) => {
    const current = v.health?.usageStatus;
    if (current === undefined) return;
    for (const usage of stateSet(KNOWN_USAGE_STATUSES, current)) {
      emit(usage === current ? 1 : 0, "usage_status", usage);
    }
  }),
  lastPeriod(M.lastPeriodCalls, (p) => p.totalCalls),
  lastPeriod(M.lastPeriodAnsweredCalls, (p) => p.answeredCalls),
  lastPeriod(M.lastPeriodFailedCalls, (p) => p.failedCalls),
  lastPeriod(M.lastPeriodAnswerRatio, (_p, v) => v.periodAnswerRatio),
  lastPeriod(M.lastPeriodCallTime, (p) => times60(p.totalMinutes) ?? p.totalDuration),
  lastPeriod(M.lastPeriodStart, (p) => p.startMs / 1000),
  gauge(M.lastSuccess, (v, emit) => {
    const ms = v.outcome.lastSuccessMs;
    emit(ms === undefined ? undefined : ms / 1000);
  }),
  gauge(M.scrapeDuration, (v, emit) => emit(v.outcome.seconds)),
  {
    definition: M.scrapeErrors,
    type: "counter",
    series: (v, emit) => {
      // Every reason starts at 0 so that increase() sees a number's first failure.
      const counts: ReadonlyMap<FailureReason, number> = v.outcome.errorCounts;
      for (const reason of FAILURE_REASONS) {
        emit(counts.get(reason) ?? 0, "reason", reason);
      }
    },
  },
];

/** About how long each piece of text written as it is sent is, in characters. */
const CHUNK_CHARS = 64 * 1024;

/** How much of one family's text is kept as a string before it is encoded to bytes. */
const FLUSH_CHARS = 2 * 1024;

/** Bytes of each buffer that early-rendered text is encoded into. */
const SLAB_BYTES = 32 * 1024;

/** How much longer than the first number's text the others' may be, in buffers reserved. */
const RESERVE_MARGIN = 1.05;

/**
 * Buffers for text rendered early (see {@link NumberMetricsRenderer}), reused from
 * scrape to scrape: buffers made afresh for each scrape lived long enough to be
 * promoted, and their memory drove a full garbage collection about once a scrape. The
 * scrapes in flight share at most `maxBytes` of them, made when first needed.
 */
export class SlabPool {
  readonly #free: Buffer[] = [];
  readonly #maxSlabs: number;
  #made = 0;

  constructor(maxBytes: number) {
    this.#maxSlabs = Math.floor(maxBytes / SLAB_BYTES);
  }

  /** `count` buffers of {@link SLAB_BYTES}, or none when fewer are left. */
  reserve(count: number): Buffer[] | undefined {
    if (count > this.#free.length + this.#maxSlabs - this.#made) return undefined;
    const slabs = this.#free.splice(Math.max(0, this.#free.length - count));
    for (; slabs.length < count; this.#made += 1) {
      slabs.push(Buffer.allocUnsafeSlow(SLAB_BYTES));
    }
    return slabs;
  }

  /** Takes back buffers whose contents have been sent. */
  give(slabs: readonly Buffer[]): void {
    this.#free.push(...slabs);
  }
}

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
  /** The slabs written to, the last one being filled. */
  readonly slabs: Buffer[];
  /** The text of every slab but the last, each cut to the bytes written. */
  readonly filled: Buffer[];
  /** Bytes written to the last slab. */
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
    slabs: [],
    filled: [],
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
    let slab = early.slabs.at(-1);
    if (slab === undefined || SLAB_BYTES - early.used < Buffer.byteLength(early.tail)) {
      slab = this.#spare?.pop();
      if (slab === undefined) {
        this.#exhausted = true;
        return;
      }
      const last = early.slabs.at(-1);
      if (last !== undefined) early.filled.push(last.subarray(0, early.used));
      early.slabs.push(slab);
      early.used = 0;
    }
    early.used += slab.write(early.tail, early.used, "utf8");
    early.tail = "";
  }

  /**
   * The whole text of `outcomes`, in pieces of at most about 64 KB: for each family,
   * its HELP and TYPE, the lines rendered early, then those of the numbers not rendered
   * early, written as the pieces are taken.
   */
  *pieces(
    outcomes: readonly NumberOutcome[],
  ): Generator<string | Buffer, void, undefined> {
    const rest = outcomes.slice(this.#rendered).map((o) => viewOf(o, this.#options));
    const writer = this.#writer;
    // Text runs on from family to family, so that a small scrape is a piece or two,
    // not one piece a family: every piece is a write, and a copy, of its own.
    writer.text = "";
    let anyFamily = false;

    for (let f = 0; f < FAMILIES.length; f += 1) {
      const family = FAMILIES[f]!;
      const { definition, type } = family;
      const header = familyHeader(definition.name, definition.help, type, this.#format);
      writer.header = anyFamily ? familySeparator(this.#format) + header : header;

      const { slabs, filled, used, tail } = this.#early[f]!;
      if (slabs.length > 0) {
        yield writer.text + writer.header;
        writer.text = "";
        writer.header = undefined;
        yield* filled;
        yield slabs.at(-1)!.subarray(0, used);
      }
      if (tail !== "") {
        // The header goes first when no slab took it.
        writer.text += (writer.header ?? "") + tail;
        writer.header = undefined;
      }
      for (const view of rest) {
        writer.write(family, view);
        if (writer.text.length >= CHUNK_CHARS) {
          yield writer.text;
          writer.text = "";
        }
      }
      if (writer.header === undefined) anyFamily = true;
    }
    if (writer.text !== "") yield writer.text;
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
      early.slabs.length = 0;
      early.filled.length = 0;
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
  for (const piece of new NumberMetricsRenderer(options, format).pieces(outcomes)) {
    yield typeof piece === "string" ? piece : piece.toString("utf8");
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

function viewOf(outcome: NumberOutcome, options: RenderOptions): NumberView {
  const { labels } = outcome.target;
  const { health } = outcome;
  const { granularity, answerRateUnit, nowMs } = options;
  const period =
    health === undefined
      ? undefined
      : newestCompletePeriod(health.snapshots, granularity, nowMs);

  // Every field written out, no spread: a view made by spreading one object into
  // another took about 1 KB, and 10,000 of them lived long enough to be promoted.
  return {
    labels,
    prefix: labelPrefix(labels),
    outcome,
    health,
    granularity,
    answerRatio:
      health === undefined ? undefined : answerRatio(health.summary, answerRateUnit),
    period,
    periodAnswerRatio:
      period === undefined ? undefined : answerRatio(period, answerRateUnit),
  };
}

/** Known states plus the current one when Vobiz sent a value not yet documented. */
function stateSet(known: readonly string[], current: string): readonly string[] {
  return known.includes(current) ? known : [...known, current];
}

function times60(minutes: number | undefined): number | undefined {
  return minutes === undefined ? undefined : Math.round(minutes * 60 * 1000) / 1000;
}
