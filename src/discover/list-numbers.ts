import { z } from "zod";

import type { AccountConfig } from "../config/types.js";
import type { VobizClient } from "../vobiz/client.js";
import { VobizError } from "../vobiz/errors.js";

/** Page size of the number list: the most the docs allow. */
export const LIST_PAGE_SIZE = 100;

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
 * Reads every page of an account's number list until `total` items are read (or a page
 * comes back empty, so a list that shrinks while paging cannot loop forever).
 * @throws VobizError for any failed page; a partial list is never returned.
 */
export async function listNumbers(
  client: VobizClient,
  account: AccountConfig,
  limits: ListLimits,
): Promise<ListedNumber[]> {
  const numbers: ListedNumber[] = [];
  for (let page = 1; ; page += 1) {
    const path = listPath(account.authId, page);
    const signal = AbortSignal.any([
      limits.signal,
      AbortSignal.timeout(limits.pageTimeoutMs),
    ]);
    const { body, url, status } = await client.getJson(account, "numbers", path, signal);
    const parsed = pageSchema.safeParse(body);
    if (!parsed.success) {
      throw new VobizError("parse", "number list page has an unexpected shape", {
        url,
        status,
        cause: parsed.error,
      });
    }

    for (const item of parsed.data.items) {
      numbers.push({
        number: item.e164,
        ownerAuthId: item.account_id ?? undefined,
        status: item.status ?? undefined,
      });
    }
    if (parsed.data.items.length === 0 || numbers.length >= parsed.data.total) {
      return numbers;
    }
  }
}
