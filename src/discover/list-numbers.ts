import { z } from "zod";

import { deadlineIn } from "../collect/deadline.js";
import type { AccountConfig } from "../config/types.js";
import type { VobizClient } from "../vobiz/client.js";
import { VobizError } from "../vobiz/errors.js";

/** Page size of the number list: the most the docs allow. */
export const LIST_PAGE_SIZE = 100;

/**
 * Most numbers discovery reads of one account: ten times what one exporter scrapes in
 * about 3.5 s (`npm run bench`). A list claiming more, or never ending, is refused
 * rather than read into memory without end.
 */
export const MAX_LISTED_NUMBERS = 100_000;

/** One number of an account's list, as discovery keeps it. */
export interface ListedNumber {
  readonly number: string;
  /** The owning (sub-)account's auth ID, `account_id`; undefined when not sent. */
  readonly ownerAuthId: string | undefined;
  readonly status: string | undefined;
}

// Unknown fields are dropped; a field of the wrong type makes the page a parse error.
const itemSchema = z.object({
  e164: z.string(),
  account_id: z.string().nullish(),
  status: z.string().nullish(),
});
const pageSchema = z.object({
  items: z.array(itemSchema),
  total: z.number().int().nonnegative(),
});

/** The path of one page of an account's number list: capital `Account`, as documented. */
export function listPath(authId: string, page: number): string {
  const account = encodeURIComponent(authId);
  return `/api/v1/Account/${account}/numbers?page=${page}&per_page=${LIST_PAGE_SIZE}`;
}

/** How long reading a list may take. */
export interface ListLimits {
  /** Abandons the whole list, e.g. on reload or shutdown. */
  readonly signal: AbortSignal;
  /** Cap for one page's request (`api.timeout`). */
  readonly pageTimeoutMs: number;
}

/**
 * Reads every page of an account's number list until `total` items are read, or a page
 * brings no number not already read (an empty page, from a list that shrank while
 * paging, or the same page again, from an API that ignores `page`). A number listed
 * twice is kept once.
 * @throws VobizError for any failed page, and `parse` for a list of more than
 * {@link MAX_LISTED_NUMBERS}; a partial list is never returned.
 */
export async function listNumbers(
  client: VobizClient,
  account: AccountConfig,
  limits: ListLimits,
): Promise<ListedNumber[]> {
  const numbers = new Map<string, ListedNumber>();
  for (let page = 1; ; page += 1) {
    const path = listPath(account.authId, page);
    // Made by hand, as a scrape's deadline is: AbortSignal.any() over a timeout
    // signal stays in memory in Node.js 20, one for every page ever read.
    const deadline = deadlineIn(limits.pageTimeoutMs, Date.now(), limits.signal);
    const { body, url, status } = await client
      .getJson(account, "numbers", path, deadline.signal)
      .finally(deadline.end);
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) {
      throw new VobizError("parse", "number list page has an unexpected shape", {
        url,
        status,
        cause: parsed.error,
      });
    }

    const { items, total } = parsed.data;
    // Refused at the first page that says so: reading 1,000 pages to find out, at
    // every retry, would spend the account's rate limit. Reading stops once `total`
    // numbers are in, so no list held grows past it by more than a page.
    if (total > MAX_LISTED_NUMBERS) {
      throw new VobizError(
        "parse",
        `number list of more than ${MAX_LISTED_NUMBERS} numbers (Vobiz says ${total}); ` +
          "discovery reads no more of one account: list the numbers in exporter.yml, " +
          "or split them over sub-accounts",
        { url, status },
      );
    }

    const before = numbers.size;
    for (const item of items) {
      numbers.set(item.e164, {
        number: item.e164,
        ownerAuthId: item.account_id ?? undefined,
        status: item.status ?? undefined,
      });
    }
    if (numbers.size === before || numbers.size >= total) return [...numbers.values()];
  }
}
