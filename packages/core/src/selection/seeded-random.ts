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
/** Right edge of the ziggurat's base layer (Marsaglia and Tsang's `r` for 128 layers). */
const zigguratEdge = 3.442619855899;
/** Per layer: the integer threshold under which a draw is accepted at once, the scale, and the density. */
const zigguratThresholds = new Float64Array(128);
const zigguratScales = new Float64Array(128);
const zigguratDensities = new Float64Array(128);

/** Builds the ziggurat tables exactly as in Marsaglia and Tsang's RNOR setup (J. Stat. Softw. 5(8), 2000). */
function buildZigguratTables(): void {
  const scale = 2_147_483_648;
  const area = 9.91256303526217e-3;
  let edge = zigguratEdge;
  let previousEdge = edge;
  const base = area / Math.exp(-0.5 * edge * edge);
  zigguratThresholds[0] = Math.floor((edge / base) * scale);
  zigguratThresholds[1] = 0;
  zigguratScales[0] = base / scale;
  zigguratScales[127] = edge / scale;
  zigguratDensities[0] = 1;
  zigguratDensities[127] = Math.exp(-0.5 * edge * edge);
  for (let layer = 126; layer >= 1; layer--) {
    edge = Math.sqrt(-2 * Math.log(area / edge + Math.exp(-0.5 * edge * edge)));
    zigguratThresholds[layer + 1] = Math.floor((edge / previousEdge) * scale);
    previousEdge = edge;
    zigguratDensities[layer] = Math.exp(-0.5 * edge * edge);
    zigguratScales[layer] = edge / scale;
  }
}
buildZigguratTables();

/**
 * mulberry32 (Tommy Ettinger): a Weyl sequence through a strong output hash. 32 bits of state, a
 * few integer operations per number, and re-seedable in place, which lets selection give every
 * model its own stream without allocating one generator per model. Normals come from Marsaglia and
 * Tsang's ziggurat: one 32-bit draw, a table look-up and a multiplication about 99 % of the time,
 * several times cheaper than Box–Muller's logarithm, square root, sine and cosine.
 */
export class Mulberry32Random implements SeededRandom {
  private state: number;

  constructor(state: number) {
    this.state = state | 0;
  }

  /** Restarts the generator from `state`, as if newly constructed. */
  reseed(state: number): void {
    this.state = state | 0;
  }

  /** A uniform signed 32-bit integer. */
  nextInt32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return mixed ^ (mixed >>> 14);
  }

  next(): number {
    return (this.nextInt32() >>> 0) / twoToThe32;
  }

  nextNormal(): number {
    for (;;) {
      const bits = this.nextInt32();
      const layer = bits & 127;
      if (Math.abs(bits) < zigguratThresholds[layer]!) return bits * zigguratScales[layer]!;
      if (layer === 0) {
        // The tail beyond the base layer's edge, by Marsaglia's exponential method; 1 - u is in (0, 1].
        let tail: number;
        let height: number;
        do {
          tail = -Math.log(1 - this.next()) / zigguratEdge;
          height = -Math.log(1 - this.next());
        } while (height + height < tail * tail);
        return bits > 0 ? zigguratEdge + tail : -zigguratEdge - tail;
      }
      const candidate = bits * zigguratScales[layer]!;
      const low = zigguratDensities[layer]!;
      const high = zigguratDensities[layer - 1]!;
      if (low + this.next() * (high - low) < Math.exp(-0.5 * candidate * candidate)) return candidate;
    }
  }
}

/** A generator for `seed` (see {@link seedState} for which seeds are accepted). */
export function createSeededRandom(seed: number): SeededRandom {
  return new Mulberry32Random(seedState(seed));
}
