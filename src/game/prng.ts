// Seeded pseudo-random numbers (mulberry32), state in one uint32. Pure: no I/O, no global randomness.

// Mulberry32 is tiny, fast and good enough for shuffling 32 pieces. Its state is a single 32-bit integer, so it
// can live inside the JSON game state and a game can be rebuilt from its seed.

/** Normalises any number to a uint32 PRNG state. */
export function seedState(seed: number): number {
  return (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
}

/** Returns the next float in [0, 1) and the advanced state, leaving the input untouched. */
export function nextFloat(state: number): [value: number, state: number] {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, next];
}

/** Fisher-Yates shuffle of a copy of `items`; returns the shuffled copy and the advanced PRNG state. */
export function shuffle<T>(items: readonly T[], state: number): [shuffled: T[], state: number] {
  const out = items.slice();
  let s = state;
  for (let i = out.length - 1; i > 0; i--) {
    // nextFloat inlined: every deal draws 31 numbers, and a tuple per draw was most of the deal's cost.
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    const j = Math.floor(r * (i + 1));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return [out, s];
}

/** A mutable PRNG handle for callers outside the game state (bots, tests); only `state` is stored. */
export interface Rng {
  state: number;
}

/** Creates a bot/test PRNG handle from a seed. */
export function createRng(seed: number): Rng {
  return { state: seedState(seed) };
}

/** Draws a float in [0, 1) and advances `rng` in place. */
export function random(rng: Rng): number {
  // nextFloat inlined, as in shuffle: no tuple per draw.
  const s = (rng.state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  rng.state = s;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Draws an integer in [0, n) and advances `rng` in place. */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(random(rng) * n);
}

/** Mixes several integers into one seed, so derived PRNGs (e.g. for timeouts) are reproducible. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}
