import { describe, expect, test } from "vitest";

import { scrapeBudgetMs } from "../src/collect/deadline.js";

describe("scrapeBudgetMs", () => {
  test.each([
    ["no header: api.timeout", undefined, 10_000, 10_000],
    ["header less 0.5 s", "5", 10_000, 4_500],
    ["capped by api.timeout", "15", 10_000, 10_000],
    ["a 1 s timeout keeps half", "1", 10_000, 500],
    ["a 0.3 s timeout keeps half, not nothing", "0.3", 10_000, 150],
    ["an unreadable header falls back", "soon", 7_000, 7_000],
    ["a negative header falls back", "-5", 7_000, 7_000],
  ])("%s", (_name, header, apiTimeoutMs, expected) => {
    expect(scrapeBudgetMs(header, apiTimeoutMs)).toBe(expected);
  });
});
