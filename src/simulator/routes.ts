/** What a request target asks for, before authentication. */
export type Route =
  | { kind: "health"; authId: string; numberSegment: string; query: URLSearchParams }
  | { kind: "list"; authId: string; query: URLSearchParams }
  | { kind: "not_found" };

// The upstream router is case-sensitive and the two endpoints disagree on the casing of
// `account`; the simulator keeps both quirks so the exporter is tested against them.
const HEALTH_PATH = /^\/api\/v1\/account\/([^/]+)\/numbers\/([^/]+)\/health$/;
const LIST_PATH = /^\/api\/v1\/Account\/([^/]+)\/numbers$/;
const NUMBER_SEGMENT = /^%2[Bb]([1-9]\d{1,14})$/;

/** Matches a raw request target (path and query exactly as on the wire). */
export function matchRoute(rawTarget: string): Route {
  const mark = rawTarget.indexOf("?");
  const path = mark === -1 ? rawTarget : rawTarget.slice(0, mark);
  const query = new URLSearchParams(mark === -1 ? "" : rawTarget.slice(mark + 1));

  const health = HEALTH_PATH.exec(path);
  if (health?.[1] !== undefined && health[2] !== undefined) {
    const authId = decodeSegment(health[1]);
    if (authId === undefined) return { kind: "not_found" };
    return { kind: "health", authId, numberSegment: health[2], query };
  }

  const list = LIST_PATH.exec(path);
  const authId = list?.[1] === undefined ? undefined : decodeSegment(list[1]);
  return authId === undefined ? { kind: "not_found" } : { kind: "list", authId, query };
}

/**
 * The E.164 number of a raw path segment, only when its `+` is written `%2B`: a raw `+`
 * or a double-encoded `%252B` names no number.
 */
export function numberFromSegment(segment: string): string | undefined {
  const match = NUMBER_SEGMENT.exec(segment);
  return match?.[1] === undefined ? undefined : `+${match[1]}`;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
