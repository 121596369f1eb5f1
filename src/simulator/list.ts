import type { IncomingMessage } from "node:http";

import { authorize } from "./auth.js";
import type { VisibleNumber } from "./directory.js";
import { generalError } from "./errors.js";
import { sendErrorFault } from "./faults.js";
import { deterministicUuid } from "./prng.js";
import { isProblem, parseListQuery } from "./query.js";
import type { Reply } from "./reply.js";
import type { SimState } from "./state.js";

/** One entry of the number list, as the upstream documents it. */
export interface NumberListItem {
  e164: string;
  account_id: string;
  status: string;
  id: string;
  country: string;
  capabilities: { voice: boolean; sms: boolean };
  monthly_fee: string;
  tags: string[];
  created_at: string;
  updated_at: string;
}

/** The 200 body of the number list. */
export interface NumberListBody {
  items: NumberListItem[];
  page: number;
  per_page: number;
  total: number;
}

/** A matched list request. */
export interface ListRequest {
  authId: string;
  query: URLSearchParams;
}

const CREATED_AT = "2025-01-15T09:30:00Z";

/** `GET /api/v1/Account/{auth_id}/numbers?page=&per_page=&search=`. */
export function handleList(
  reply: Reply,
  req: IncomingMessage,
  route: ListRequest,
  state: SimState,
): void {
  const account = authorize(reply, req, route.authId, state);
  if (!account) return;

  const fault = state.listFaultFor(account.authId);
  if (fault && sendErrorFault(reply, fault, state.faultEnv)) return;

  const query = parseListQuery(route.query);
  if (isProblem(query)) {
    const { field, value, message } = query;
    return reply.json(
      400,
      generalError("bad_request", message, state.now(), { field, value }),
    );
  }

  const matching = state.directory
    .list(account.authId)
    .filter((visible) => visible.number.e164.includes(query.search));
  const first = (query.page - 1) * query.perPage;
  const body: NumberListBody = {
    items: matching.slice(first, first + query.perPage).map(toItem),
    page: query.page,
    per_page: query.perPage,
    total: matching.length,
  };
  reply.json(200, body);
}

function toItem({ number, ownerAuthId }: VisibleNumber): NumberListItem {
  return {
    e164: number.e164,
    account_id: ownerAuthId,
    status: number.status ?? "active",
    id: deterministicUuid("number", number.e164),
    country: "IN",
    capabilities: { voice: true, sms: false },
    monthly_fee: "1.00",
    tags: [],
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}
