import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type Metric,
  type RegistryContentType,
} from "prom-client";

import type { RequestObservation } from "../vobiz/client.js";
import { EXPORTER_METRICS as M, type MetricDefinition } from "./names.js";
import { CONTENT_TYPES, type ExpositionFormat } from "./text-format.js";

const MISNAMED_DEFAULT_METRICS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

const REQUEST_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const options = (definition: MetricDefinition, registry: Registry) => ({
  name: definition.name,
  help: definition.help,
  labelNames: [...(definition.extraLabels ?? [])],
  registers: [registry],
});

/** OpenMetrics' last line, which only the very end of an answer may have. */
const OPENMETRICS_EOF = "# EOF\n";

/**
 * The metrics that live as long as the process: the exporter's own (build info,
 * upstream request counts and durations, configuration reloads) in {@link registry},
 * and prom-client's process and Node.js metrics in a registry of their own, which a
 * scrape can read before its numbers are read.
 */
export class ExporterMetrics {
  readonly registry = new Registry();
  readonly #processRegistry = new Registry();
  readonly #requests = new Counter(options(M.apiRequests, this.registry));
  readonly #requestDuration = new Histogram({
    ...options(M.apiRequestDuration, this.registry),
    buckets: REQUEST_BUCKETS,
  });
  readonly #numbers = new Gauge(options(M.numbers, this.registry));
  readonly #reloadSuccessful = new Gauge(options(M.reloadSuccessful, this.registry));
  readonly #reloadTimestamp = new Gauge(options(M.reloadSuccessTimestamp, this.registry));

  constructor(version: string, { processMetrics = true } = {}) {
    new Gauge(options(M.buildInfo, this.registry)).set(
      { version, nodejs: process.version },
      1,
    );
    if (processMetrics) {
      collectDefaultMetrics({ register: this.#processRegistry });
      // These gauges end in _total, which promtool rejects for anything but counters.
      for (const name of MISNAMED_DEFAULT_METRICS) {
        this.#processRegistry.removeSingleMetric(name);
      }
    }
  }

  /** Counts one finished upstream request. */
  observeRequest = (observation: RequestObservation): void => {
    const { account, endpoint, code, seconds } = observation;
    this.#requests.inc({ account, endpoint, code });
    this.#requestDuration.observe({ endpoint }, seconds);
  };

  /** Replaces the monitored-number counts, so a removed account's series vanish. */
  setNumberCounts(
    counts: ReadonlyMap<string, { configured: number; discovered: number }>,
  ) {
    this.#numbers.reset();
    for (const [account, { configured, discovered }] of counts) {
      this.#numbers.set({ account, source: "configured" }, configured);
      this.#numbers.set({ account, source: "discovered" }, discovered);
    }
  }

  /** Records the result of a configuration load. */
  recordReload(successful: boolean, atMs: number): void {
    this.#reloadSuccessful.set(successful ? 1 : 0);
    if (successful) this.#reloadTimestamp.set(atMs / 1000);
  }

  /**
   * The process and Node.js metrics in `format`, read now, or undefined when they are
   * off. Without OpenMetrics' `# EOF`: {@link ownExposition} comes after them.
   */
  async processExposition(format: ExpositionFormat): Promise<string | undefined> {
    const text = await exposition(this.#processRegistry, format);
    return text?.endsWith(OPENMETRICS_EOF)
      ? text.slice(0, -OPENMETRICS_EOF.length)
      : text;
  }

  /** The exporter's own metrics in `format`, or undefined when there are none. */
  ownExposition(format: ExpositionFormat): Promise<string | undefined> {
    return exposition(this.registry, format);
  }
}

/**
 * The exposition of `source` in `format`, or undefined when it has no metrics. Each
 * metric is registered through a stand-in: for OpenMetrics prom-client renames a
 * registered counter in place (dropping `_total`), which would leave the shared
 * counter misnamed in every later text-format scrape.
 */
async function exposition(
  source: Registry,
  format: ExpositionFormat,
): Promise<string | undefined> {
  // prom-client's typings call these plain objects; at run time they are metrics.
  const metrics = source.getMetricsAsArray() as unknown as Renderable[];
  if (metrics.length === 0) return undefined;

  const registry = new Registry<RegistryContentType>();
  registry.setContentType(CONTENT_TYPES[format] as RegistryContentType);
  for (const metric of metrics) registry.registerMetric(standIn(metric));
  return registry.metrics();
}

/** What a prom-client registry reads of a metric to render it. */
interface Renderable {
  name: string;
  readonly help: string;
  readonly type: string;
  get(): Promise<object>;
}

/** A metric that renders as `metric` does, under a name of its own. */
function standIn(metric: Renderable): Metric {
  const proxy: Renderable = {
    name: metric.name,
    help: metric.help,
    type: metric.type,
    get: async () => ({ ...(await metric.get()), name: proxy.name }),
  };
  return proxy as unknown as Metric;
}
