import type { Labels } from "../config/types.js";
import type { MetricDefinition } from "./names.js";

const NO_LABELS: Labels = Object.freeze({});

/**
 * A per-number family in the shape a prom-client registry serialises (`name`, `help`,
 * `type`, `get()`), for callers that render a few numbers' series through a registry.
 * Each series' labels go in `sharedLabels`, whose text prom-client keeps per object.
 */
export function registryMetric(
  definition: MetricDefinition,
  type: "gauge" | "counter",
  labelSets: readonly Labels[],
  values: readonly number[],
) {
  const { help } = definition;
  const metric = {
    // The registry strips a counter's `_total` here for OpenMetrics, as with Counter.
    name: definition.name,
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
