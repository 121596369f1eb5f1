import { describe, expect, test } from "vitest";

import { deadlineIn, scrapeBudgetMs } from "../src/collect/deadline.js";

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("deadlineIn", () => {
  test.each([
    ["with no client to watch", undefined],
    ["with a client that stays", new AbortController().signal],
  ])("aborts at the deadline, as a timeout, %s", async (_name, client) => {
    const deadline = deadlineIn(20, Date.now(), client);
    await sleep(60);

    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).name).toBe("TimeoutError");
  });

  test("aborts at once when its client is gone", () => {
    const client = new AbortController();
    const deadline = deadlineIn(10_000, Date.now(), client.signal);
    client.abort();

    expect(deadline.signal.aborted).toBe(true);
  });

  test("once ended, neither the deadline nor the client aborts it", async () => {
    const client = new AbortController();
    const deadline = deadlineIn(20, Date.now(), client.signal);
    deadline.end();
    client.abort();
    await sleep(60);

    expect(deadline.signal.aborted).toBe(false);
  });
});
