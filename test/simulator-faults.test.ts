import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";

import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  demoAccount,
  healthBody,
  startSimulator,
} from "../src/simulator/index.js";
import type { Fault, RunningSimulator } from "../src/simulator/index.js";

const NOW = new Date("2026-06-04T13:45:30Z");
const AUTH = { "x-auth-id": DEMO_AUTH_ID, "x-auth-token": DEMO_AUTH_TOKEN };
const NUMBER = "+919876543210";
const OTHER = "+919812345678";
const QUERY = { granularity: "daily", days: 7 } as const;

let sim: RunningSimulator;

function pathOf(e164: string): string {
  return `/api/v1/account/${DEMO_AUTH_ID}/numbers/%2B${e164.slice(1)}/health?days=7`;
}

async function fetchNumber(e164 = NUMBER, headers: Record<string, string> = AUTH) {
  const started = performance.now();
  const res = await request(`${sim.url}${pathOf(e164)}`, { headers });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    elapsedMs: performance.now() - started,
  };
}

function expected(e164 = NUMBER): string {
  const number = demoAccount().numbers.find((n) => n.e164 === e164);
  if (!number) throw new Error(`no demo number ${e164}`);
  return JSON.stringify(healthBody(number, QUERY, NOW));
}

beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW });
});

afterAll(async () => {
  await sim.close();
});

afterEach(() => {
  sim.setFault(NUMBER, undefined);
  sim.setFault("*", undefined);
});

describe("error faults", () => {
  test.each<[Fault, number, string, string | undefined]>([
    [{ name: "rate_limited" }, 429, "rate_limited", "30"],
    [{ name: "rate_limited", retryAfterSeconds: 5 }, 429, "rate_limited", "5"],
    [{ name: "rate_limited_no_retry_after" }, 429, "rate_limited", undefined],
    [{ name: "http_500" }, 500, "internal_error", undefined],
    [{ name: "http_502" }, 502, "bad_gateway", undefined],
    [{ name: "http_503" }, 503, "service_unavailable", "1"],
    [{ name: "http_504" }, 504, "gateway_timeout", undefined],
    [{ name: "unauthorized" }, 401, "unauthorized", undefined],
    [{ name: "forbidden" }, 403, "forbidden", undefined],
  ])("%o answers %i in the general envelope", async (fault, status, code, retryAfter) => {
    sim.setFault(NUMBER, fault);
    const res = await fetchNumber();

    expect(res.status).toBe(status);
    expect(res.headers["retry-after"]).toBe(retryAfter);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(res.text)).toMatchObject({
      status: "error",
      error: { code, message: expect.any(String), details: {} },
      timestamp: NOW.toISOString(),
      requestId: expect.any(String),
    });
  });

  test("html_error answers 500 with an HTML page", async () => {
    sim.setFault(NUMBER, { name: "html_error" });
    const res = await fetchNumber();

    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.text).toMatch(/^<!DOCTYPE html>/);
  });

  test("rate_limited_once limits each number once, and setFault re-arms it", async () => {
    sim.setFault("*", { name: "rate_limited_once" });
    const first = await fetchNumber();
    const second = await fetchNumber();
    const other = await fetchNumber(OTHER);
    sim.setFault("*", { name: "rate_limited_once" });
    const rearmed = await fetchNumber();

    expect(first.status).toBe(429);
    expect(first.headers["retry-after"]).toBe("1");
    expect(second.status).toBe(200);
    expect(second.text).toBe(expected());
    expect(other.status).toBe(429);
    expect(rearmed.status).toBe(429);
  });

  test("a fault never hides an authentication failure", async () => {
    sim.setFault(NUMBER, { name: "http_500" });
    const res = await fetchNumber(NUMBER, { ...AUTH, "x-auth-token": "wrong" });

    expect(res.status).toBe(401);
  });
});

describe("body faults", () => {
  test("truncated_json sends the first half of the body", async () => {
    sim.setFault(NUMBER, { name: "truncated_json" });
    const res = await fetchNumber();
    const full = expected();

    expect(res.status).toBe(200);
    expect(res.text).toBe(full.slice(0, Math.floor(full.length / 2)));
    expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
  });

  test("malformed_json is not JSON", async () => {
    sim.setFault(NUMBER, { name: "malformed_json" });
    const res = await fetchNumber();

    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
  });

  test("wrong_type makes summary.total_calls a string", async () => {
    sim.setFault(NUMBER, { name: "wrong_type" });
    const body = JSON.parse((await fetchNumber()).text);

    expect(body.summary.total_calls).toBe("lots");
    expect(body.summary.answered_calls).toEqual(expect.any(Number));
  });

  test("extra_fields adds unknown fields at every level and keeps the real ones", async () => {
    sim.setFault(NUMBER, { name: "extra_fields" });
    const body = JSON.parse((await fetchNumber()).text);

    expect(body).toMatchObject(JSON.parse(expected()));
    expect(Object.keys(body).length).toBeGreaterThan(7);
    expect(Object.keys(body.summary).length).toBeGreaterThan(6);
    expect(Object.keys(body.snapshots[0]).length).toBeGreaterThan(9);
  });

  test("oversized streams valid JSON of exactly the asked size", async () => {
    sim.setFault(NUMBER, { name: "oversized", bytes: 1_000_000 });
    const res = await fetchNumber();

    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBeUndefined();
    expect(Buffer.byteLength(res.text)).toBe(1_000_000);
    expect(JSON.parse(res.text)).toMatchObject(JSON.parse(expected()));
  });

  test("oversized defaults to 16 MiB", async () => {
    sim.setFault(NUMBER, { name: "oversized" });
    const res = await fetchNumber();

    expect(Buffer.byteLength(res.text)).toBe(16 * 1024 * 1024);
  });

  test("a client that stops reading an oversized body leaves the server healthy", async () => {
    sim.setFault(NUMBER, { name: "oversized", bytes: 64 * 1024 * 1024 });
    const controller = new AbortController();
    const res = await request(`${sim.url}${pathOf(NUMBER)}`, {
      headers: AUTH,
      signal: controller.signal,
    });
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    controller.abort();
    await expect(res.body.text()).rejects.toThrow();

    expect((await fetchNumber(OTHER)).status).toBe(200);
  });
});

describe("transport faults", () => {
  test("latency delays the answer", async () => {
    sim.setFault(NUMBER, { name: "latency", latencyMs: 200 });
    const res = await fetchNumber();

    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(res.text).toBe(expected());
  });

  test("slow_body sends the body in pieces over the delay", async () => {
    sim.setFault(NUMBER, { name: "slow_body", latencyMs: 300 });
    const started = performance.now();
    const res = await request(`${sim.url}${pathOf(NUMBER)}`, { headers: AUTH });
    const pieces: Buffer[] = [];
    for await (const piece of res.body) pieces.push(piece as Buffer);

    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(pieces.length).toBeGreaterThan(1);
    expect(Buffer.concat(pieces).toString()).toBe(expected());
  });

  test("reset drops the connection in the middle of the body", async () => {
    sim.setFault(NUMBER, { name: "reset" });

    await expect(fetchNumber()).rejects.toThrow();
    expect((await fetchNumber(OTHER)).status).toBe(200);
  });

  test("a number's own fault wins over the * fault, and other numbers are untouched", async () => {
    sim.setFault("*", { name: "http_502" });
    sim.setFault(NUMBER, { name: "forbidden" });

    expect((await fetchNumber()).status).toBe(403);
    expect((await fetchNumber(OTHER)).status).toBe(502);
    sim.setFault("*", undefined);
    expect((await fetchNumber(OTHER)).status).toBe(200);
  });

  test("an unknown fault name is refused", () => {
    const fault = { name: "explode" } as unknown as Fault;

    expect(() => sim.setFault(NUMBER, fault)).toThrow(TypeError);
  });
});

describe("simulator options and lifecycle", () => {
  test("latencyMs delays every response", async () => {
    const slow = await startSimulator({ latencyMs: 150 });
    try {
      const started = performance.now();
      const res = await request(`${slow.url}/`);
      await res.body.dump();

      expect(res.statusCode).toBe(404);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });

  test("a latency fault adds to latencyMs, and streamed faults wait for latencyMs", async () => {
    const slow = await startSimulator({ latencyMs: 150, now: () => NOW });
    const timed = async () => {
      const started = performance.now();
      const res = await request(`${slow.url}${pathOf(NUMBER)}`, { headers: AUTH });
      const text = await res.body.text();
      return { res, text, elapsedMs: performance.now() - started };
    };
    try {
      slow.setFault(NUMBER, { name: "latency", latencyMs: 200 });
      const delayed = await timed();
      expect(delayed.res.statusCode).toBe(200);
      expect(delayed.elapsedMs).toBeGreaterThanOrEqual(340);

      // Headers first, then the body: written too early, the body would go out
      // under Node's implicit headers, without the JSON content type.
      slow.setFault(NUMBER, { name: "slow_body", latencyMs: 50 });
      const streamed = await timed();
      expect(streamed.res.headers["content-type"]).toMatch(/^application\/json/);
      expect(streamed.text).toBe(expected());
      expect(streamed.elapsedMs).toBeGreaterThanOrEqual(190);
    } finally {
      await slow.close();
    }
  });

  test("a client that leaves during latencyMs does not stop later answers", async () => {
    const slow = await startSimulator({ latencyMs: 150, now: () => NOW });
    const url = `${slow.url}${pathOf(NUMBER)}`;
    try {
      await expect(
        request(url, { headers: AUTH, signal: AbortSignal.timeout(30) }),
      ).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));

      const res = await request(url, { headers: AUTH });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe(expected());
    } finally {
      await slow.close();
    }
  });

  test("faults given at start apply, keyed by number", async () => {
    const local = await startSimulator({ faults: { [NUMBER]: { name: "http_504" } } });
    try {
      const res = await request(`${local.url}${pathOf(NUMBER)}`, { headers: AUTH });
      await res.body.dump();

      expect(res.statusCode).toBe(504);
    } finally {
      await local.close();
    }
  });

  test("a failure inside a handler answers 500 and the server keeps serving", async () => {
    let calls = 0;
    const now = (): Date => {
      calls += 1;
      if (calls === 1) throw new Error("clock failure");
      return NOW;
    };
    const local = await startSimulator({ now });
    try {
      const first = await request(`${local.url}${pathOf(NUMBER)}`, { headers: AUTH });
      const envelope = await first.body.json();
      const second = await request(`${local.url}${pathOf(NUMBER)}`, { headers: AUTH });
      await second.body.dump();

      expect(first.statusCode).toBe(500);
      expect(envelope).toMatchObject({ error: { code: "internal_error" } });
      expect(second.statusCode).toBe(200);
      expect(local.requests.map((r) => r.status)).toEqual([500, 200]);
    } finally {
      await local.close();
    }
  });

  test("close() ends a stalled request and returns promptly", async () => {
    const local = await startSimulator({ faults: { "*": { name: "stall" } } });
    const pending = request(`${local.url}${pathOf(NUMBER)}`, { headers: AUTH }).then(
      (res) => res.body.text(),
    );
    const outcome = pending.then(
      () => "answered",
      () => "failed",
    );
    await waitFor(() => local.requests.length === 1);

    const started = performance.now();
    await local.close();

    expect(performance.now() - started).toBeLessThan(1000);
    expect(await outcome).toBe("failed");
    expect(local.requests[0]?.status).toBe(0);
  });

  test("close() while a latency fault is pending does not throw later", async () => {
    const local = await startSimulator({ latencyMs: 100 });
    const pending = request(`${local.url}/`).catch(() => undefined);
    await waitFor(() => local.requests.length === 1);
    await local.close();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 150));

    expect(local.requests[0]?.status).toBe(0);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
