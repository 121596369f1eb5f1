import type { Labels } from "../config/types.js";
import { closeLabels, extraLabel, withLabel } from "./label-sets.js";
import type { MetricDefinition } from "./names.js";
import { familyHeader, formatValue, type ExpositionFormat } from "./text-format.js";

/** A number's labels in one scrape: the label-set object and its text up to the `}`. */
export interface NumberSeries {
  readonly labels: Labels;
  readonly prefix: string;
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * One per-number metric family of one scrape. Each series is kept as the two halves of
 * its label text (the number's label prefix, kept across scrapes, and what follows it
 * up to the value) and its value, in parallel arrays rather than an object per series:
 * at 10,000 numbers a scrape has 310,000 series, and every byte made per series is
 * garbage after it.
 */
export class Family {
  readonly #prefixes: string[] = [];
  readonly #suffixes: string[] = [];
  readonly #values: number[] = [];
  // Label-set objects, kept only for a family handed to a prom-client registry.
  readonly #labelSets: Labels[] | undefined;

  constructor(
    readonly definition: MetricDefinition,
    readonly type: "gauge" | "counter",
    { forRegistry = false } = {},
  ) {
    this.#labelSets = forRegistry ? [] : undefined;
  }

  /** Adds a series with the number's labels, plus `extraName` when given. */
  add(number: NumberSeries, value: number, extraName?: string, extraValue = ""): void {
    const { labels, prefix } = number;
    this.#prefixes.push(prefix);
    this.#values.push(value);
    if (extraName === undefined) {
      this.#suffixes.push(closeLabels(prefix));
      this.#labelSets?.push(labels);
    } else {
      this.#suffixes.push(extraLabel(prefix, extraName, extraValue));
      this.#labelSets?.push(withLabel(labels, extraName, extraValue));
    }
  }

  /** Appends the family's HELP, TYPE and sample lines to `parts`, unjoined. */
  write(parts: string[], format: ExpositionFormat): void {
    const { name, help } = this.definition;
    parts.push(familyHeader(name, help, this.type, format));
    const prefixes = this.#prefixes;
    const suffixes = this.#suffixes;
    const values = this.#values;
    for (let i = 0; i < values.length; i++) {
      parts.push(name, prefixes[i]!, suffixes[i]!, formatValue(values[i]!), "\n");
    }
  }

  /**
   * The family in the shape a prom-client registry serialises (`name`, `help`, `type`,
   * `get()`), for callers that render one number's series through a registry.
   */
  toRegistryMetric() {
    const { help } = this.definition;
    const { type } = this;
    const labelSets = this.#labelSets ?? [];
    const values = this.#values;
    const metric = {
      // The registry strips a counter's `_total` here for OpenMetrics, as with Counter.
      name: this.definition.name,
      help,
      type,
      get: () => ({
        name: metric.name,
        help,
        type,
        aggregator: "sum" as const,
        values: labelSets.map((sharedLabels, i) => ({
          labels: NO_LABELS,
          sharedLabels,
          value: values[i]!,
        })),
      }),
    };
    return metric;
  }
}
