import type { AccountConfig, ExporterConfig, Labels } from "../config/types.js";

/** Where the exporter learned of a number: `vobiz_numbers{source}`. */
export type TargetSource = "configured" | "discovered";

/** One number to read, with the labels its series carry. */
export interface Target {
  readonly account: AccountConfig;
  readonly number: string;
  /** `account`, `number`, `owner` when set, then account labels and number labels. */
  readonly labels: Labels;
  readonly source: TargetSource;
}

/** A stable key for a number within an account. */
export function targetKey(accountName: string, number: string): string {
  return `${accountName}\u0000${number}`;
}

/** The account name of a {@link targetKey}. */
export function accountOf(key: string): string {
  return key.slice(0, key.indexOf("\u0000"));
}

/**
 * Builds the label set of a number's series: `account`, `number` and `owner` first,
 * then configured labels, a number's winning over its account's. The configuration
 * forbids configured labels named like the exporter's own.
 */
export function targetLabels(
  account: AccountConfig,
  number: string,
  numberLabels: Labels,
  owner?: string,
): Labels {
  return {
    account: account.name,
    number,
    ...(owner === undefined ? {} : { owner }),
    ...account.labels,
    ...numberLabels,
  };
}

/** Every configured number of every account, in configuration order. */
export function configuredTargets(config: ExporterConfig): Target[] {
  return config.accounts.flatMap((account) =>
    account.numbers.map((entry) => ({
      account,
      number: entry.number,
      labels: targetLabels(account, entry.number, entry.labels),
      source: "configured" as const,
    })),
  );
}
