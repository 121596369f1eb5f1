import type { Granularity, HealthQuery } from "./data.js";

/** A query parameter that could not be used, for the 400 envelope. */
export interface QueryProblem {
  field: string;
  value: string;
  message: string;
}

/** The paging of a list request, after defaults. */
export interface ListQuery {
  page: number;
  perPage: number;
  search: string;
}

// The upstream documents no maximum; this bound keeps one request from eating the
// simulator (hourly over a year is already 8,784 snapshots).
const MAX_DAYS = 366;
const MAX_PER_PAGE = 100;

/** `granularity` (default daily) and `days` (default 30) of a health request. */
export function parseHealthQuery(query: URLSearchParams): HealthQuery | QueryProblem {
  const granularity = query.get("granularity") ?? "daily";
  if (granularity !== "daily" && granularity !== "hourly") {
    return problem("granularity", granularity, "granularity must be daily or hourly");
  }
  const days = positiveInteger(query.get("days"), 30);
  if (days === undefined || days > MAX_DAYS) {
    const message = `days must be an integer from 1 to ${MAX_DAYS}`;
    return problem("days", query.get("days") ?? "", message);
  }
  return { granularity: granularity satisfies Granularity, days };
}

/** `page` (from 1), `per_page` (default 25, at most 100) and `search` of a list request. */
export function parseListQuery(query: URLSearchParams): ListQuery | QueryProblem {
  const page = positiveInteger(query.get("page"), 1);
  if (page === undefined) {
    return problem("page", query.get("page") ?? "", "page must be a positive integer");
  }
  const perPage = positiveInteger(query.get("per_page"), 25);
  if (perPage === undefined) {
    const value = query.get("per_page") ?? "";
    return problem("per_page", value, "per_page must be a positive integer");
  }
  const search = (query.get("search") ?? "").trim();
  return { page, perPage: Math.min(perPage, MAX_PER_PAGE), search };
}

/** Whether a parse result is a problem rather than a query. */
export function isProblem(value: object): value is QueryProblem {
  return "field" in value;
}

function positiveInteger(raw: string | null, fallback: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 1 ? value : undefined;
}

function problem(field: string, value: string, message: string): QueryProblem {
  return { field, value, message };
}
