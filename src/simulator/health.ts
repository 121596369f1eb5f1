import type { IncomingMessage } from "node:http";

import { authorize } from "./auth.js";
import { healthBody } from "./data.js";
import { generalError, healthError } from "./errors.js";
import { sendHealth } from "./faults.js";
import { healthText } from "./health-text.js";
import { isProblem, parseHealthQuery } from "./query.js";
import type { Reply } from "./reply.js";
import { numberFromSegment } from "./routes.js";
import type { SimState } from "./state.js";

/** A matched health request: who asks, for which raw number segment, with what query. */
export interface HealthRequest {
  authId: string;
  numberSegment: string;
  query: URLSearchParams;
}

/** `GET /api/v1/account/{auth_id}/numbers/{e164}/health`. */
export async function handleHealth(
  reply: Reply,
  req: IncomingMessage,
  route: HealthRequest,
  state: SimState,
): Promise<void> {
  const account = authorize(reply, req, route.authId, state);
  if (!account) return;

  const query = parseHealthQuery(route.query);
  if (isProblem(query)) {
    const { field, value, message } = query;
    return reply.json(
      400,
      generalError("bad_request", message, state.now(), { field, value }),
    );
  }

  const e164 = numberFromSegment(route.numberSegment);
  const visible =
    e164 === undefined ? undefined : state.directory.find(account.authId, e164);
  if (!visible) return reply.json(404, healthError("not_found", "number not found"));

  const { number } = visible;
  const now = state.now();
  const answer = {
    text: healthText(number, query, now),
    body: () => healthBody(number, query, now),
  };
  const fault = state.faultFor(number.e164);
  await sendHealth(reply, answer, fault, state.faultEnv);
}
