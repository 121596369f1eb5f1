import { Gauge, Registry } from "prom-client";

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses text format 0.0.4 into samples: name, labels and value. */
export function parseSamples(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const labels = {};
    for (const [, name, value] of (match[2] ?? "").matchAll(LABEL)) {
      labels[name] = value.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    }
    samples.push({ name: match[1], labels, value: sampleNumber(match[3]) });
  }
  return samples;
}

/**
 * A bare prom-client registry holding the same series with the same labels as
 * `samples`: one gauge per sample name, no collect callbacks. This is what serialising
 * the exposition costs prom-client itself.
 */
export function bareRegistry(samples) {
  const byName = new Map();
  for (const sample of samples) {
    let group = byName.get(sample.name);
    if (group === undefined) {
      group = { labelNames: new Set(), samples: [] };
      byName.set(sample.name, group);
    }
    for (const label of Object.keys(sample.labels)) group.labelNames.add(label);
    group.samples.push(sample);
  }

  const registry = new Registry();
  for (const [name, group] of byName) {
    const gauge = new Gauge({
      name,
      help: `${name} as scraped.`,
      labelNames: [...group.labelNames],
      registers: [registry],
    });
    for (const sample of group.samples) gauge.set(sample.labels, sample.value);
  }
  return registry;
}

function sampleNumber(text) {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** The value of an unlabelled sample in an exposition, found without parsing it all. */
export function findValue(body, name) {
  const at = body.lastIndexOf(`\n${name} `);
  if (at === -1) return undefined;
  const end = body.indexOf("\n", at + 1);
  return Number(body.slice(at + name.length + 2, end === -1 ? undefined : end));
}

/** The sum of a counter's samples whose labels include `match`, e.g. `endpoint="x"`. */
export function sumValues(body, name, match) {
  let sum = 0;
  for (const line of body.split("\n")) {
    if (line.startsWith(`${name}{`) && line.includes(match)) {
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return sum;
}
