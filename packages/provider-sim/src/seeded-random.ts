/** A source of uniform numbers in [0, 1), like `Math.random`, but one that tests can seed and replay. */
export type RandomSource = () => number;

/**
 * A small, fast, seeded PRNG (mulberry32). Same seed, same sequence, on every machine: the simulated
 * models must answer identically in every test run and every demo.
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A 32-bit FNV-1a hash of a text. Used to seed the answer from the request's content, so the same
 * request always gets the same answer while different requests get different ones.
 */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Picks one item of a non-empty list with the given random source. */
export function pickOne<T>(items: readonly T[], random: RandomSource): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pickOne needs a non-empty list');
  return item;
}

/** Picks `count` distinct items (or all of them when the list is shorter), in random order. */
export function pickSeveral<T>(items: readonly T[], count: number, random: RandomSource): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) {
    const [item] = pool.splice(Math.floor(random() * pool.length), 1);
    if (item !== undefined) picked.push(item);
  }
  return picked;
}
