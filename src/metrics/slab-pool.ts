import { Buffer } from "node:buffer";

/** Bytes of each buffer that early-rendered text is encoded into. */
export const SLAB_BYTES = 32 * 1024;

/**
 * Buffers for text rendered early (NumberMetricsRenderer in render.ts), reused from
 * scrape to scrape: buffers made afresh for each scrape lived long enough to be
 * promoted, and their memory drove a full garbage collection about once a scrape. The
 * scrapes in flight share at most `maxBytes` of them, made when first needed.
 */
export class SlabPool {
  readonly #free: Buffer[] = [];
  readonly #maxSlabs: number;
  #made = 0;

  constructor(maxBytes: number) {
    this.#maxSlabs = Math.floor(maxBytes / SLAB_BYTES);
  }

  /** `count` buffers of {@link SLAB_BYTES}, or none when fewer are left. */
  reserve(count: number): Buffer[] | undefined {
    if (count > this.#free.length + this.#maxSlabs - this.#made) return undefined;
    const slabs = this.#free.splice(Math.max(0, this.#free.length - count));
    for (; slabs.length < count; this.#made += 1) {
      slabs.push(Buffer.allocUnsafeSlow(SLAB_BYTES));
    }
    return slabs;
  }

  /** Takes back buffers whose contents have been sent. */
  give(slabs: readonly Buffer[]): void {
    this.#free.push(...slabs);
  }
}
