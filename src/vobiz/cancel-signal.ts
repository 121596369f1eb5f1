/**
 * What a request in progress listens to for being called off. An AbortSignal is one;
 * so is anything cheaper that aborts the same way, once, with a reason.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(
    type: "abort",
    listener: () => void,
    options?: { once?: boolean },
  ): void;
  removeEventListener(type: "abort", listener: () => void): void;
}
