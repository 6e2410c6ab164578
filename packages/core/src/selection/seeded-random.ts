/**
 * A deterministic source of random numbers. Core never calls `Math.random()`: selection draws from
 * a generator seeded by the caller, so the same input and seed always give the same decision and a
 * surprising decision can be replayed exactly.
 */
export interface SeededRandom {
  /** A uniform number in [0, 1). */
  next(): number;
  /** A standard normal number (mean 0, standard deviation 1). */
  nextNormal(): number;
}

const twoToThe32 = 4_294_967_296;

/** A 32-bit finaliser (splitmix32/murmur3 style): nearby inputs give unrelated outputs. */
function mix32(value: number): number {
  let mixed = value | 0;
  mixed = Math.imul(mixed ^ (mixed >>> 16), 0x21f0aaad);
  mixed = Math.imul(mixed ^ (mixed >>> 15), 0x735a2d97);
  return (mixed ^ (mixed >>> 15)) >>> 0;
}

/**
 * The 32-bit state a seed starts from. Any finite number is accepted: integers up to 2^53 use all
 * their bits, fractional seeds are truncated. `NaN` and infinity throw, since they would otherwise
 * silently collapse every seed onto one sequence.
 */
export function seedState(seed: number): number {
  if (!Number.isFinite(seed)) {
    throw new RangeError(`The selection seed must be a finite number, got ${String(seed)}.`);
  }
  const whole = Math.trunc(Math.abs(seed));
  const low = whole % twoToThe32;
  const high = Math.floor(whole / twoToThe32) % twoToThe32;
  return mix32(mix32(low ^ (seed < 0 ? 0x5bd1e995 : 0)) ^ high);
}

/**
 * The starting state of an independent stream for one key (a model) under one seed, so that a
 * model's draws depend on the seed and the model alone, not on which other models were drawn first.
 */
export function streamState(seed: number, key: number): number {
  return mix32(seed ^ mix32(key + 0x9e3779b9));
}

/**
 * mulberry32 (Tommy Ettinger): a Weyl sequence through a strong output hash. 32 bits of state, a
 * few integer operations per number, and re-seedable in place, which lets selection give every
 * model its own stream without allocating one generator per model.
 */
export class Mulberry32Random implements SeededRandom {
  private state: number;
  /** Box–Muller yields normals in pairs; the second one waits here for the next call. */
  private spareNormal = Number.NaN;

  constructor(state: number) {
    this.state = state | 0;
  }

  /** Restarts the generator from `state`, as if newly constructed. */
  reseed(state: number): void {
    this.state = state | 0;
    this.spareNormal = Number.NaN;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / twoToThe32;
  }

  nextNormal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = Number.NaN;
      return spare;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
    const angle = 2 * Math.PI * this.next();
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}

/** A generator for `seed` (see {@link seedState} for which seeds are accepted). */
export function createSeededRandom(seed: number): Mulberry32Random {
  return new Mulberry32Random(seedState(seed));
}
