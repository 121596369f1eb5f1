import { request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import {
  DEMO_AUTH_ID,
  DEMO_AUTH_TOKEN,
  demoAccount,
  generatedAccount,
  healthBody,
  startSimulator,
} from "../src/simulator/index.js";
import type { HealthBody, RunningSimulator, SimNumber } from "../src/simulator/index.js";
import { healthText } from "../src/simulator/health-text.js";
import { deterministicUuid, uuidFromSeed } from "../src/simulator/prng.js";

const NOW = new Date("2026-06-04T13:45:30Z");
const AUTH = { "x-auth-id": DEMO_AUTH_ID, "x-auth-token": DEMO_AUTH_TOKEN };
const HEALTHY = "+919876543210";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sim: RunningSimulator;

async function get(path: string, headers: Record<string, string> = AUTH) {
  const res = await request(`${sim.url}${path}`, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

async function getJson(path: string, headers?: Record<string, string>) {
  const res = await get(path, headers);
  return { ...res, json: JSON.parse(res.text) as Record<string, unknown> };
}

function healthPath(segment: string, query = ""): string {
  return `/api/v1/account/${DEMO_AUTH_ID}/numbers/${segment}/health${query}`;
}

function encoded(e164: string): string {
  return `%2B${e164.slice(1)}`;
}

function demoNumber(e164: string): SimNumber {
  const number = demoAccount().numbers.find((n) => n.e164 === e164);
  if (!number) throw new Error(`no demo number ${e164}`);
  return number;
}

beforeAll(async () => {
  const subAccount = { authId: "SA_SUB0001", authToken: "sub-token", numbers: [] };
  const main = demoAccount();
  main.numbers.push({ e164: "+918000000001", ownerAuthId: "SA_SUB0001" });
  sim = await startSimulator({ accounts: [main, subAccount], now: () => NOW });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.resetRequests();
});

describe("health path", () => {
  test.each([
    ["%2B919876543210", 200],
    ["%2b919876543210", 200],
    ["+919876543210", 404],
    ["%252B919876543210", 404],
    ["919876543210", 404],
    ["%2B919876543219", 404],
  ])("number segment %s answers %i", async (segment, status) => {
    const res = await getJson(healthPath(segment));

    expect(res.status).toBe(status);
    if (status === 404) {
      expect(Object.keys(res.json).sort()).toEqual(["api_id", "error", "message"]);
      expect(res.json).toMatchObject({ error: "not_found", message: "number not found" });
      expect(res.json.api_id).toMatch(UUID);
    }
    expect(sim.requests[0]?.rawPath).toBe(healthPath(segment));
  });

  test("a capital A in the health path is a 404 with the health envelope", async () => {
    const res = await getJson(
      `/api/v1/Account/${DEMO_AUTH_ID}/numbers/%2B919876543210/health`,
    );

    expect(res.status).toBe(404);
    expect(Object.keys(res.json).sort()).toEqual(["api_id", "error", "message"]);
  });

  test.each([
    "/",
    "/api/v1/account/MA_DEMO0000/numbers",
    "/api/v1/account/MA_DEMO0000/numbers/%2B919876543210",
    "/api/v1/account/MA_DEMO0000/numbers/%2B919876543210/health/",
  ])("unknown path %s is a 404", async (path) => {
    expect((await get(path)).status).toBe(404);
  });

  test.each([
    ["no credentials", {}, DEMO_AUTH_ID],
    ["a wrong token", { ...AUTH, "x-auth-token": "nope" }, DEMO_AUTH_ID],
    ["an unknown auth id", { ...AUTH, "x-auth-id": "MA_OTHER" }, DEMO_AUTH_ID],
    ["a token alone", { "x-auth-token": DEMO_AUTH_TOKEN }, DEMO_AUTH_ID],
    ["a path naming another account", AUTH, "SA_SUB0001"],
  ])("%s is a 401 in the general envelope", async (_name, headers, pathAuthId) => {
    const path = `/api/v1/account/${pathAuthId}/numbers/%2B919876543210/health`;
    const res = await getJson(path, headers);

    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      status: "error",
      error: { code: "unauthorized", details: {} },
    });
    expect((res.json.error as { message: string }).message).toEqual(expect.any(String));
    expect(res.json.timestamp).toBe(NOW.toISOString());
    expect(res.json.requestId).toMatch(UUID);
  });

  test.each([
    "?granularity=weekly",
    "?granularity=",
    "?days=abc",
    "?days=1.5",
    "?days=0",
    "?days=-3",
    "?days=",
  ])("query %s is a 400 in the general envelope", async (query) => {
    const res = await getJson(healthPath(encoded(HEALTHY), query));

    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: "error", error: { code: "bad_request" } });
  });

  test("without a query the window is 30 daily snapshots", async () => {
    const res = await getJson(healthPath(encoded(HEALTHY)));

    expect(res.json).toMatchObject({
      granularity: "daily",
      summary: { period_days: 30 },
    });
    expect(res.json.snapshots).toHaveLength(30);
  });

  test("a method other than GET is refused", async () => {
    const res = await request(`${sim.url}${healthPath(encoded(HEALTHY))}`, {
      method: "POST",
      headers: AUTH,
    });
    await res.body.dump();

    expect(res.statusCode).toBe(405);
  });

  test("a sub-account reads the numbers it owns with its own credentials", async () => {
    const headers = { "x-auth-id": "SA_SUB0001", "x-auth-token": "sub-token" };
    const path = "/api/v1/account/SA_SUB0001/numbers/%2B918000000001/health";

    expect((await get(path, headers)).status).toBe(200);
    expect((await get(healthPath("%2B918000000001"))).status).toBe(200);
  });
});

describe("health body", () => {
  test.each([1, 7, 30])("daily has %i snapshots and hourly 24 per day", async (days) => {
    const daily = await getJson(healthPath(encoded(HEALTHY), `?days=${days}`));
    const hourly = await getJson(
      healthPath(encoded(HEALTHY), `?granularity=hourly&days=${days}`),
    );

    expect(daily.json.snapshots).toHaveLength(days);
    expect(hourly.json.snapshots).toHaveLength(days * 24);
    expect(hourly.json.granularity).toBe("hourly");
  });

  test("is deterministic and equals healthBody()", async () => {
    const path = healthPath(encoded(HEALTHY), "?granularity=hourly&days=2");
    const first = await getJson(path);
    const second = await getJson(path);

    expect(first.text).toBe(second.text);
    expect(first.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(first.text).toBe(
      JSON.stringify(
        healthBody(demoNumber(HEALTHY), { granularity: "hourly", days: 2 }, NOW),
      ),
    );
  });

  test.each([
    [
      "daily",
      3,
      ["2026-06-02T00:00:00Z", "2026-06-03T00:00:00Z", "2026-06-04T00:00:00Z"],
    ],
    [
      "hourly",
      1,
      ["2026-06-03T14:00:00Z", "2026-06-04T12:00:00Z", "2026-06-04T13:00:00Z"],
    ],
  ] as const)(
    "%s snapshots end with the running period",
    (granularity, days, expected) => {
      const body = healthBody(demoNumber(HEALTHY), { granularity, days }, NOW);
      const stamps = body.snapshots.map((s) => s.ts);

      expect(stamps[0]).toBe(expected[0]);
      expect(stamps.at(-2)).toBe(expected[1]);
      expect(stamps.at(-1)).toBe(expected[2]);
    },
  );

  test("complete periods do not depend on the clock; the running one only grows", () => {
    const number = demoNumber(HEALTHY);
    const query = { granularity: "daily", days: 10 } as const;
    const early = healthBody(number, query, new Date("2026-06-04T01:00:00Z"));
    const late = healthBody(number, query, new Date("2026-06-04T23:00:00Z"));
    const tomorrow = healthBody(number, query, new Date("2026-06-05T00:30:00Z"));

    expect(late.snapshots.slice(0, -1)).toEqual(early.snapshots.slice(0, -1));
    expect(tomorrow.snapshots.slice(0, 8)).toEqual(late.snapshots.slice(1, 9));
    const [runningEarly, runningLate] = [early.snapshots.at(-1), late.snapshots.at(-1)];
    const completed = tomorrow.snapshots.at(-2);
    expect(runningEarly?.total_calls).toBeLessThanOrEqual(runningLate?.total_calls ?? 0);
    expect(runningLate?.total_calls).toBeLessThanOrEqual(completed?.total_calls ?? 0);
    expect(completed?.ts).toBe(runningLate?.ts);
  });

  test("snapshot ids are unique uuids, stable for a number and period", () => {
    const body = healthBody(
      demoNumber(HEALTHY),
      { granularity: "hourly", days: 30 },
      NOW,
    );
    const ids = body.snapshots.map((s) => s.id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID);
    const other = healthBody(
      demoNumber("+919812345678"),
      { granularity: "daily", days: 1 },
      NOW,
    );
    expect(other.snapshots[0]?.id).not.toBe(body.snapshots.at(-1)?.id);
  });

  const cases = demoAccount().numbers.flatMap((n) =>
    (["daily", "hourly"] as const).map((g) => [n.e164, g] as const),
  );
  test.each(cases)("%s %s keeps the arithmetic invariants", (e164, granularity) => {
    const body = healthBody(demoNumber(e164), { granularity, days: 30 }, NOW);
    expectConsistent(body);
  });

  test("traffic profiles show in the figures", () => {
    const query = { granularity: "daily", days: 30 } as const;
    const healthy = healthBody(demoNumber(HEALTHY), query, NOW);
    const low = healthBody(demoNumber("+918041234567"), query, NOW);
    const silent = healthBody(demoNumber("+911140001234"), query, NOW);

    for (const s of healthy.snapshots.slice(0, -1))
      expect(s.total_calls).toBeGreaterThan(0);
    expect(healthy.summary.answer_rate).toBeGreaterThan(50);
    expect(low.summary.answer_rate).toBeLessThan(35);
    expect(low.summary.answer_rate).toBeGreaterThan(5);
    expect(silent.summary).toEqual({
      period_days: 30,
      total_calls: 0,
      answered_calls: 0,
      answer_rate: 0,
      total_minutes: 0,
      avg_duration: 0,
    });
    for (const s of silent.snapshots) expect(s.total_calls).toBe(0);
  });

  test("demo numbers carry their flags and statuses", async () => {
    const spam = await getJson(healthPath("%2B919900112233", "?days=1"));
    const blocked = await getJson(healthPath("%2B919988776655", "?days=1"));

    expect(spam.json).toMatchObject({ is_spam: true, status: "active" });
    expect(blocked.json).toMatchObject({ is_spam: false, status: "blocked" });
    expect(blocked.json.usage_status).toBe("unrated");
  });

  test("healthBody rejects a window that is not a positive integer of days", () => {
    expect(() =>
      healthBody(demoNumber(HEALTHY), { granularity: "daily", days: 0 }, NOW),
    ).toThrow(RangeError);
  });
});

describe("health text", () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const midnight = Date.parse("2026-06-04T00:00:00Z");
  // Period boundaries and their neighbours, mid-period times, and later days, in an
  // order that both reuses and replaces memoised windows.
  const clocks = [
    midnight,
    midnight + 1,
    midnight + HOUR - 1,
    midnight + HOUR,
    NOW.getTime(),
    NOW.getTime() + 1,
    midnight + DAY - 1,
    midnight + DAY,
    midnight + 3 * DAY + 7 * HOUR + 12_345,
    midnight - 1,
  ];
  const numbers: SimNumber[] = [
    ...demoAccount().numbers,
    { e164: "+15550000001", status: 'odd "quoted" \\ ü', usageStatus: "spam\nrisk" },
  ];
  const cases = numbers.flatMap((number) =>
    (["daily", "hourly"] as const).flatMap((granularity) =>
      [1, 2, 7, 30].map((days) => ({
        number,
        e164: number.e164,
        traffic: number.traffic ?? "normal",
        granularity,
        days,
      })),
    ),
  );

  test.each(cases)(
    "$e164 ($traffic traffic), $granularity over $days days, equals healthBody()",
    ({ number, granularity, days }) => {
      const query = { granularity, days };
      for (const ms of clocks) {
        const now = new Date(ms);
        const expected = JSON.stringify(healthBody(number, query, now));

        expect(healthText(number, query, now)).toBe(expected);
        expect(healthText(number, query, now)).toBe(expected);
      }
    },
  );

  test("rejects what healthBody() rejects", () => {
    const number = demoNumber(HEALTHY);

    expect(() => healthText(number, { granularity: "daily", days: 0 }, NOW)).toThrow(
      RangeError,
    );
    expect(() =>
      healthText(number, { granularity: "daily", days: 1 }, new Date(Number.NaN)),
    ).toThrow(RangeError);
  });
});

function expectConsistent(body: HealthBody): void {
  let total = 0;
  let answered = 0;
  let duration = 0;
  for (const s of body.snapshots) {
    expect(s.answered_calls).toBeLessThanOrEqual(s.total_calls);
    expect(s.failed_calls).toBe(s.total_calls - s.answered_calls);
    expectRounded(s.total_minutes, s.total_duration / 60);
    expectRounded(
      s.avg_duration,
      s.answered_calls ? s.total_duration / s.answered_calls : 0,
    );
    expectRounded(
      s.answer_rate,
      s.total_calls ? (100 * s.answered_calls) / s.total_calls : 0,
    );
    total += s.total_calls;
    answered += s.answered_calls;
    duration += s.total_duration;
  }
  expect(body.summary.total_calls).toBe(total);
  expect(body.summary.answered_calls).toBe(answered);
  expectRounded(body.summary.total_minutes, duration / 60);
  expectRounded(body.summary.answer_rate, total ? (100 * answered) / total : 0);
  expectRounded(body.summary.avg_duration, answered ? duration / answered : 0);
}

/** A value rounded to two decimals lies within 0.005 of the exact figure. */
function expectRounded(actual: number, exact: number): void {
  expect(Math.abs(actual - exact)).toBeLessThanOrEqual(0.005 + 1e-9);
}

describe("request recording", () => {
  test("records method, raw target, credentials and status in order", async () => {
    const target = healthPath(encoded(HEALTHY), "?granularity=daily&days=2");
    await get(target);
    await get("/nowhere?x=%2B1", { "x-auth-id": "MA_X" });

    expect(sim.requests).toEqual([
      {
        method: "GET",
        rawPath: target,
        authId: DEMO_AUTH_ID,
        authToken: DEMO_AUTH_TOKEN,
        status: 200,
        at: expect.any(Number),
      },
      {
        method: "GET",
        rawPath: "/nowhere?x=%2B1",
        authId: "MA_X",
        status: 404,
        at: expect.any(Number),
      },
    ]);
  });

  test("recordRequests: false keeps nothing", async () => {
    const quiet = await startSimulator({ recordRequests: false });
    try {
      const res = await request(`${quiet.url}/`);
      await res.body.dump();

      expect(res.statusCode).toBe(404);
      expect(quiet.requests).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  test("resetRequests empties the same array", async () => {
    const requests = sim.requests;
    await get("/");
    sim.resetRequests();

    expect(requests).toHaveLength(0);
    expect(sim.requests).toBe(requests);
  });
});

describe("number list", () => {
  const listPath = (query: string) => `/api/v1/Account/${DEMO_AUTH_ID}/numbers${query}`;

  test("pages through every number", async () => {
    const first = await getJson(listPath("?page=1&per_page=4"));
    const second = await getJson(listPath("?page=2&per_page=4"));
    const third = await getJson(listPath("?page=3&per_page=4"));

    expect(first.json).toMatchObject({ page: 1, per_page: 4, total: 7 });
    expect(first.json.items).toHaveLength(4);
    expect(second.json.items).toHaveLength(3);
    expect(third.json.items).toEqual([]);
    const all = [
      ...(first.json.items as { e164: string }[]),
      ...(second.json.items as { e164: string }[]),
    ];
    expect(all.map((i) => i.e164)).toEqual([
      ...demoAccount().numbers.map((n) => n.e164),
      "+918000000001",
    ]);
  });

  test("defaults to page 1 of 25 and caps per_page at 100", async () => {
    const plain = await getJson(listPath(""));
    const huge = await getJson(listPath("?per_page=500"));

    expect(plain.json).toMatchObject({ page: 1, per_page: 25, total: 7 });
    expect(huge.json.per_page).toBe(100);
  });

  test("items carry the documented fields and their owner", async () => {
    const res = await getJson(listPath("?search=%2B918000"));

    expect(res.json.total).toBe(1);
    expect(res.json.items).toEqual([
      {
        e164: "+918000000001",
        account_id: "SA_SUB0001",
        status: "active",
        id: expect.stringMatching(UUID),
        country: "IN",
        capabilities: { voice: true, sms: false },
        monthly_fee: "1.00",
        tags: [],
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    ]);
  });

  test("a sub-account lists the numbers it owns", async () => {
    const headers = { "x-auth-id": "SA_SUB0001", "x-auth-token": "sub-token" };
    const res = await getJson("/api/v1/Account/SA_SUB0001/numbers", headers);

    expect(res.json.total).toBe(1);
  });

  test.each([
    ["lower-case account", `/api/v1/account/${DEMO_AUTH_ID}/numbers`, 404],
    ["a bad page", listPath("?page=0"), 400],
    ["a bad per_page", listPath("?per_page=x"), 400],
  ])("%s is refused", async (_name, path, status) => {
    expect((await get(path)).status).toBe(status);
  });

  test("needs credentials", async () => {
    expect((await get(listPath(""), {})).status).toBe(401);
  });
});

describe("accounts", () => {
  test("the demo account has the six documented numbers", () => {
    const account = demoAccount();

    expect(account.authId).toBe("MA_DEMO0000");
    expect(account.numbers.map((n) => n.e164)).toEqual([
      "+919876543210",
      "+919812345678",
      "+918041234567",
      "+919900112233",
      "+919988776655",
      "+911140001234",
    ]);
  });

  test("generatedAccount is deterministic with distinct E.164 numbers", () => {
    const account = generatedAccount(1000, "MA_LOAD");

    expect(generatedAccount(1000, "MA_LOAD")).toEqual(account);
    expect(account.authId).toBe("MA_LOAD");
    expect(new Set(account.numbers.map((n) => n.e164)).size).toBe(1000);
    for (const n of account.numbers) expect(n.e164).toMatch(/^\+[1-9]\d{1,14}$/);
  });

  test("a generated account is served", async () => {
    const account = generatedAccount(3);
    const local = await startSimulator({ accounts: [account] });
    try {
      const headers = { "x-auth-id": account.authId, "x-auth-token": account.authToken };
      const e164 = account.numbers[2]?.e164 ?? "";
      const path = `/api/v1/account/${account.authId}/numbers/${encoded(e164)}/health`;
      const res = await request(`${local.url}${path}`, { headers });

      expect(res.statusCode).toBe(200);
      expect((await res.body.json()) as HealthBody).toMatchObject({ e164 });
    } finally {
      await local.close();
    }
  });
});

describe("derived uuids", () => {
  // Pinned: snapshot and number ids must not change when the derivation is reworked.
  test.each([
    [0, "4434b462-0015-4c37-b928-5b08256d8104"],
    [1, "a087eaf3-00b3-49c9-8706-c4ebfb2627fd"],
    [123456789, "41fe92fe-f884-4567-890b-41ba34c733b0"],
    [2 ** 31, "d2115efc-72b7-44bb-889a-bfcc83156eed"],
    [0xffffffff, "e57bf3d3-3081-45a4-b735-0390f1ade904"],
  ])("seed %i gives %s", (seed, uuid) => {
    expect(uuidFromSeed(seed)).toBe(uuid);
  });

  test("parts give the same uuid on every run", () => {
    expect(deterministicUuid("number", "+919876543210")).toBe(
      "6e23d76d-26b5-416b-8765-234651961e49",
    );
  });
});
