import { describe, expect, test } from "vitest";

import { parseBytes, parseDuration } from "../src/config/duration.js";

describe("parseDuration", () => {
  test.each([
    ["0", 0],
    ["500ms", 500],
    ["10s", 10_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1d", 86_400_000],
    ["1w", 604_800_000],
    ["1y", 31_536_000_000],
    ["2h0m5s250ms", 7_205_250],
  ])("reads %s as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(["", "10", "1.5s", "-1s", "10 s", "30m1h", "5s5s", "1sec", "10S", " 10s"])(
    "refuses %j",
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe("parseBytes", () => {
  test.each([
    ["8MiB", 8 * 1024 * 1024],
    ["512KiB", 512 * 1024],
    ["1GiB", 1024 ** 3],
    ["100KB", 100_000],
    ["1MB", 1_000_000],
    ["4096B", 4096],
    ["4096", 4096],
    ["0", 0],
  ])("reads %s as %d bytes", (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  test.each(["", "MiB", "8 megabytes", "1.5MiB", "-1", "8mib", "8TiB"])(
    "refuses %j",
    (text) => {
      expect(parseBytes(text)).toBeUndefined();
    },
  );
});
