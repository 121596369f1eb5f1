/** A source of numbers in [0, 1). */
export type Random = () => number;

/** 32-bit FNV-1a hash of a string. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Mulberry32: small, fast and good enough for plausible fake data. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator seeded by the given parts: the same parts always give the same sequence. */
export function randomFor(...parts: string[]): Random {
  return seededRandom(hash32(parts.join("|")));
}

/** Mixes a 32-bit seed with a non-negative integer (up to 2^53) into a new seed. */
export function mixSeed(seed: number, value: number): number {
  let h = seed ^ Math.imul(value >>> 0, 0x85ebca6b);
  h ^= Math.imul(Math.floor(value / 4294967296) >>> 0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A version-4-shaped UUID derived from a seed, stable across runs. */
export function uuidFromSeed(seed: number): string {
  // Four 32-bit words, big-endian, written straight to hex: no byte array to join.
  const random = seededRandom(seed);
  const first = word(random);
  const second = word(random);
  const third = word(random);
  const fourth = word(random);

  const middle = byteHex(second, 24) + byteHex(second, 16);
  const version = byteHex(second, 8, 0x0f, 0x40) + byteHex(second, 0);
  const variant = byteHex(third, 24, 0x3f, 0x80) + byteHex(third, 16);
  const node = byteHex(third, 8) + byteHex(third, 0) + wordHex(fourth);
  return `${wordHex(first)}-${middle}-${version}-${variant}-${node}`;
}

/** A version-4-shaped UUID derived from the given parts, stable across runs. */
export function deterministicUuid(...parts: string[]): string {
  return uuidFromSeed(hash32(["uuid", ...parts].join("|")));
}

function word(random: Random): number {
  return Math.floor(random() * 4294967296);
}

function wordHex(value: number): string {
  return byteHex(value, 24) + byteHex(value, 16) + byteHex(value, 8) + byteHex(value, 0);
}

/** Two hex digits of the byte at `shift`, its bits kept by `mask` then set by `bits`. */
function byteHex(value: number, shift: number, mask = 0xff, bits = 0): string {
  return HEX[(((value >>> shift) & mask) | bits) & 0xff] ?? "00";
}
