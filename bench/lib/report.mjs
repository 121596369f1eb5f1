/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const COLUMNS = [
  ["numbers", (r) => r.numbers.toLocaleString("en")],
  ["cold ms", (r) => r.cold.medianMs.toFixed(0)],
  ["floor ms", (r) => r.floorMs.toFixed(0)],
  ["cold/floor", (r) => r.cold.ratio.toFixed(2)],
  ["CPU ms/number", (r) => r.cold.cpuMsPerNumber.toFixed(3)],
  ["bare client ms", (r) => r.bareClient.medianMs.toFixed(0)],
  ["bare client/floor", (r) => r.bareClient.ratio.toFixed(2)],
  ["bare client CPU ms/number", (r) => r.bareClient.cpuMsPerNumber.toFixed(3)],
  ["warm ms", (r) => r.warm.medianMs.toFixed(1)],
  ["bare prom-client ms", (r) => r.warm.bareMedianMs.toFixed(1)],
  ["warm/bare", (r) => r.warm.ratio.toFixed(2)],
  ["simulator CPU ms/number", (r) => r.cold.simulatorCpuMsPerNumber.toFixed(3)],
  ["RSS MiB cold", (r) => (r.cold.rssBytes / 2 ** 20).toFixed(0)],
  ["RSS MiB warm", (r) => (r.warm.rssBytes / 2 ** 20).toFixed(0)],
  ["requests/number", (r) => r.shared.requestsPerNumber.toFixed(2)],
  ["RSS MiB concurrent", (r) => (r.shared.rssBytes / 2 ** 20).toFixed(0)],
];

/** The results as a Markdown table. */
export function table(results) {
  const rows = [COLUMNS.map(([title]) => title)];
  for (const result of results) rows.push(COLUMNS.map(([, cell]) => cell(result)));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) =>
    `| ${row.map((cell, i) => cell.padStart(widths[i])).join(" | ")} |`;
  const rule = `|${widths.map((w) => `${"-".repeat(w + 1)}:`).join("|")}|`;
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join("\n");
}
