/** Milliseconds in each Prometheus duration unit, largest first (the order they must appear in). */
const DURATION_UNITS = [
  ["y", 365 * 24 * 60 * 60 * 1000],
  ["w", 7 * 24 * 60 * 60 * 1000],
  ["d", 24 * 60 * 60 * 1000],
  ["h", 60 * 60 * 1000],
  ["m", 60 * 1000],
  ["s", 1000],
  ["ms", 1],
] as const;

const DURATION_PATTERN = new RegExp(
  "^" + DURATION_UNITS.map(([unit]) => `(?:(\\d+)${unit})?`).join("") + "$",
);

/**
 * Parses a Prometheus duration (`1h30m`, `500ms`, `10s`, `1d`, `1w`, `0`) into
 * milliseconds. Units go from largest to smallest, each at most once; anything else,
 * including an empty string or a bare number other than `0`, gives `undefined`.
 */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;

  const match = DURATION_PATTERN.exec(text);
  if (text === "" || match === null) return undefined;

  let total = 0;
  DURATION_UNITS.forEach(([, ms], i) => {
    const amount = match[i + 1];
    if (amount !== undefined) total += Number(amount) * ms;
  });
  return Number.isSafeInteger(total) ? total : undefined;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  B: 1,
  KB: 1000,
  kB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/**
 * Parses a byte size (`8MiB`, `512KiB`, `1GiB`, `100KB`, `1MB`, `4096B`, or a plain
 * integer meaning bytes). SI units are powers of 1000, IEC units (`KiB`…) powers of
 * 1024. Anything else gives `undefined`.
 */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+)\s*([A-Za-z]*)$/.exec(text);
  if (match === null) return undefined;

  const unit = BYTE_UNITS[match[2] ?? ""];
  if (unit === undefined) return undefined;

  const total = Number(match[1]) * unit;
  return Number.isSafeInteger(total) ? total : undefined;
}
