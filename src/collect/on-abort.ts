import type { CancelSignal } from "../vobiz/cancel-signal.js";

const listeners = new WeakMap<CancelSignal, Set<() => void>>();

/**
 * Calls `listener` when `signal` aborts; returns a function that stops listening. Every
 * number of a scrape waits on the scrape's one deadline signal, and Node's EventTarget
 * walks all of a signal's listeners on each `addEventListener` (to skip duplicates),
 * which made 10,000 numbers cost 50 million steps. So each signal gets one real
 * listener, which calls the others from a Set.
 */
export function onAbort(signal: CancelSignal, listener: () => void): () => void {
  let waiting = listeners.get(signal);
  if (waiting === undefined) {
    const created = new Set<() => void>();
    waiting = created;
    listeners.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        listeners.delete(signal);
        for (const call of created) call();
      },
      { once: true },
    );
  }

  // Wrapped so that the same function passed twice is called twice, as with a listener.
  const call = () => listener();
  waiting.add(call);
  return () => void waiting.delete(call);
}
