import type { SimAccount, SimNumber } from "./types.js";

/** A number as one account sees it, with the sub-account that owns it. */
export interface VisibleNumber {
  number: SimNumber;
  ownerAuthId: string;
}

interface Entry {
  account: SimAccount;
  /** Numbers the account can read, in listing order, by E.164. */
  numbers: Map<string, VisibleNumber>;
}

/**
 * Accounts indexed for lookups. An account sees its own numbers and every number of
 * another account whose `ownerAuthId` names it (a sub-account's numbers listed under its
 * main account).
 */
export class Directory {
  readonly #entries = new Map<string, Entry>();

  constructor(accounts: readonly SimAccount[]) {
    for (const account of accounts) {
      this.#entries.set(account.authId, { account, numbers: new Map() });
    }
    for (const account of accounts) {
      for (const number of account.numbers) {
        const ownerAuthId = number.ownerAuthId ?? account.authId;
        this.#add(account.authId, { number, ownerAuthId });
        if (ownerAuthId !== account.authId)
          this.#add(ownerAuthId, { number, ownerAuthId });
      }
    }
  }

  /** The account with these credentials, or undefined when either is wrong. */
  authenticate(
    authId: string | undefined,
    authToken: string | undefined,
  ): SimAccount | undefined {
    if (authId === undefined || authToken === undefined) return undefined;
    const entry = this.#entries.get(authId);
    return entry?.account.authToken === authToken ? entry.account : undefined;
  }

  /** The number `e164` as seen by account `authId`, if it can read it. */
  find(authId: string, e164: string): VisibleNumber | undefined {
    return this.#entries.get(authId)?.numbers.get(e164);
  }

  /** Every number account `authId` can read, in a stable order. */
  list(authId: string): VisibleNumber[] {
    return [...(this.#entries.get(authId)?.numbers.values() ?? [])];
  }

  /** Takes a number out of every account, as when it is released for good. */
  remove(e164: string): void {
    for (const entry of this.#entries.values()) entry.numbers.delete(e164);
  }

  #add(authId: string, visible: VisibleNumber): void {
    const entry = this.#entries.get(authId);
    if (entry && !entry.numbers.has(visible.number.e164)) {
      entry.numbers.set(visible.number.e164, visible);
    }
  }
}
