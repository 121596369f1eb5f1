import type { Logger } from "../log.js";
import type { FailureReason, VobizError } from "../vobiz/errors.js";
import type { NumberState } from "./number-states.js";
import { AccountPausedError } from "./pause.js";
import type { Target } from "./target.js";

/**
 * Numbers whose failure one scrape logs a line each, at most; the others are summed up
 * in one line, so that an outage of thousands of numbers logs a few lines a scrape.
 */
export const FAILURE_LINES_PER_SCRAPE = 10;

/**
 * One scrape's log of failed reads. A number's failure is logged at error level when
 * it is new (the number was up, or failed for another reason), and at debug level
 * while it repeats; past {@link FAILURE_LINES_PER_SCRAPE} new ones, at debug level too,
 * and summed up by reason in one line at {@link end}.
 */
export class FailureLog {
  readonly #logger: Logger;
  #lines = 0;
  readonly #unlogged = new Map<FailureReason, number>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Logs one number's failure; `state` remembers what was logged for it. */
  failed(target: Target, error: VobizError, state: NumberState): void {
    const fields = {
      account: target.account.name,
      number: target.number,
      reason: error.reason,
      status: error.status,
      api_id: error.apiId,
      url: error.url,
      upstream_message: error.upstreamMessage,
      err: error.message,
    };
    // The pause itself is logged once at warn; its skipped numbers are expected.
    if (error instanceof AccountPausedError) {
      this.#logger.debug(fields, "number skipped while account paused");
      return;
    }
    const repeated = state.loggedReason === error.reason;
    state.loggedReason = error.reason;
    if (!repeated && this.#lines < FAILURE_LINES_PER_SCRAPE) {
      this.#lines += 1;
      this.#logger.error(fields, "number health read failed");
      return;
    }
    if (!repeated) {
      this.#unlogged.set(error.reason, (this.#unlogged.get(error.reason) ?? 0) + 1);
    }
    this.#logger.debug(fields, "number health read failed");
  }

  /** One line for the scrape's newly failing numbers that had none of their own. */
  end(): void {
    if (this.#unlogged.size === 0) return;
    let numbers = 0;
    for (const count of this.#unlogged.values()) numbers += count;
    this.#logger.error(
      { numbers, reasons: Object.fromEntries(this.#unlogged) },
      "more number health reads failed than were logged one by one",
    );
  }
}
