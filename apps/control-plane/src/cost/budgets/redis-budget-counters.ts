import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../redis/redis-keys.ts';
import {
  reservationMarkerTtlMs,
  type BudgetCounterStore,
  type CounterReading,
  type CounterTarget,
  type ReserveOutcome,
  type ReserveRequest,
  type SettleRequest,
} from './budget-counters.ts';

/*
 * Every counter is a hash `{ spent, reserved, seededAt, r:<reservationId> = amount }` beside a
 * sorted set of its open reservations scored by the instant they lapse. Amounts travel as decimal
 * strings and are added with HINCRBY, never formatted by Lua (which would print 1e+15).
 */

/** Drops lapsed reservations of one counter (an instance died holding them). */
const purgeLapsed = `
local function purge(counter, open, now)
  local lapsed = redis.call('ZRANGEBYSCORE', open, '-inf', now)
  for _, id in ipairs(lapsed) do
    local held = redis.call('HGET', counter, 'r:' .. id)
    if held and held ~= '0' then redis.call('HINCRBY', counter, 'reserved', '-' .. held) end
    redis.call('HDEL', counter, 'r:' .. id)
    redis.call('ZREM', open, id)
  end
end
local function reading(counter)
  local values = redis.call('HMGET', counter, 'spent', 'reserved')
  return tonumber(values[1] or '0'), tonumber(values[2] or '0')
end
`;

/**
 * Reserve. KEYS: [marker, counter1, open1, counter2, open2, ...].
 * ARGV: [reservationId, amount, now, holdUntil, markerTtlMs, then per target: limit, hard (1|0), expireAt (0 never)].
 * Returns {1, 0, spent1, reserved1, ...} reserved (also for a repeated id); {0, i, readings...}
 * refused by target i; {2, i, j, ...} targets i, j, ... are not seeded. Nothing is held unless 1.
 */
const reserveScript = `${purgeLapsed}
local targets = (#KEYS - 1) / 2
local id = ARGV[1]
local amount = tonumber(ARGV[2])
local now = ARGV[3]
local function readings(status, index)
  local out = {status, index}
  for i = 1, targets do
    local spent, reserved = reading(KEYS[2 * i])
    out[#out + 1] = spent
    out[#out + 1] = reserved
  end
  return out
end
if redis.call('EXISTS', KEYS[1]) == 1 then return readings(1, 0) end
local unseeded = {2}
for i = 1, targets do
  if redis.call('HEXISTS', KEYS[2 * i], 'seededAt') == 0 then unseeded[#unseeded + 1] = i end
end
if #unseeded > 1 then return unseeded end
for i = 1, targets do purge(KEYS[2 * i], KEYS[2 * i + 1], now) end
for i = 1, targets do
  local base = 5 + 3 * (i - 1)
  if ARGV[base + 2] == '1' then
    local spent, reserved = reading(KEYS[2 * i])
    if spent + reserved + amount > tonumber(ARGV[base + 1]) then return readings(0, i) end
  end
end
for i = 1, targets do
  local counter, open = KEYS[2 * i], KEYS[2 * i + 1]
  if ARGV[2] ~= '0' then redis.call('HINCRBY', counter, 'reserved', ARGV[2]) end
  redis.call('HSET', counter, 'r:' .. id, ARGV[2])
  redis.call('ZADD', open, ARGV[4], id)
  local expireAt = ARGV[5 + 3 * (i - 1) + 3]
  if expireAt ~= '0' then
    redis.call('PEXPIREAT', counter, expireAt)
    redis.call('PEXPIREAT', open, expireAt)
  end
end
redis.call('HSET', KEYS[1], 'state', 'reserved')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return readings(1, 0)
`;

/**
 * Settle (or release, with a charge of 0). KEYS: [marker, counter1, open1, ...].
 * ARGV: [reservationId, charge, settledAt, markerTtlMs, ledgerRecordedAt ('' unknown, 'absent', or ms)].
 * Returns 1 when applied, 0 for a repeat. A counter that holds the reservation is always charged.
 * One that does not (the reservation was held elsewhere while Redis was away, or the counter was
 * lost) is charged only when it was seeded before the ledger received the attempt's row (or, when
 * that is unknown, before settledAt): a counter seeded later came from a ledger that holds it.
 */
const settleScript = `
local targets = (#KEYS - 1) / 2
local id = ARGV[1]
if redis.call('HGET', KEYS[1], 'state') == 'settled' then return 0 end
for i = 1, targets do
  local counter, open = KEYS[2 * i], KEYS[2 * i + 1]
  local held = redis.call('HGET', counter, 'r:' .. id)
  if held then
    if held ~= '0' then redis.call('HINCRBY', counter, 'reserved', '-' .. held) end
    redis.call('HDEL', counter, 'r:' .. id)
  end
  redis.call('ZREM', open, id)
  local seededAt = redis.call('HGET', counter, 'seededAt')
  local counts = false
  if held then counts = true
  elseif seededAt then
    if ARGV[5] == '' then counts = tonumber(seededAt) < tonumber(ARGV[3])
    elseif ARGV[5] == 'absent' then counts = true
    else counts = tonumber(seededAt) < tonumber(ARGV[5]) end
  end
  if counts and ARGV[2] ~= '0' then
    redis.call('HINCRBY', counter, 'spent', ARGV[2])
  end
end
redis.call('HSET', KEYS[1], 'state', 'settled')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/** Seed. KEYS: [counter]. ARGV: [spent, now, expireAt (0 never)]. Returns 1 when seeded, 0 when it existed. */
const seedScript = `
if redis.call('HEXISTS', KEYS[1], 'seededAt') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'seededAt', ARGV[2])
if ARGV[1] ~= '0' then redis.call('HINCRBY', KEYS[1], 'spent', ARGV[1]) end
if ARGV[3] ~= '0' then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
return 1
`;

type ScriptCall = (numberOfKeys: number, ...keysAndArguments: string[]) => Promise<unknown>;

interface BudgetScripts {
  switchboardBudgetReserve: ScriptCall;
  switchboardBudgetSettle: ScriptCall;
  switchboardBudgetSeed: ScriptCall;
}

/**
 * The budget counters in Redis: every change is one Lua script, so a reservation checks and holds
 * every budget that applies in one atomic step, across all instances, and a retried reserve or
 * settle (same reservation id) changes nothing twice.
 */
export class RedisBudgetCounters implements BudgetCounterStore {
  private readonly scripts: BudgetScripts;

  constructor(
    client: Redis,
    private readonly keys: RedisKeys,
  ) {
    const scripts = client as unknown as BudgetScripts & Redis;
    if (typeof scripts.switchboardBudgetReserve !== 'function') {
      client.defineCommand('switchboardBudgetReserve', { lua: reserveScript });
      client.defineCommand('switchboardBudgetSettle', { lua: settleScript });
      client.defineCommand('switchboardBudgetSeed', { lua: seedScript });
    }
    this.scripts = scripts;
  }

  async reserve(request: ReserveRequest): Promise<ReserveOutcome> {
    const keys = [this.keys.budgetReservation(request.reservationId), ...this.counterKeys(request.targets)];
    const targetArguments = request.targets.flatMap((target) => [
      String(target.limitMicros),
      target.hard ? '1' : '0',
      String(target.expiresAt ?? 0),
    ]);
    const reply = (await this.scripts.switchboardBudgetReserve(
      keys.length,
      ...keys,
      request.reservationId,
      String(request.amountMicros),
      String(request.now),
      String(request.holdUntil),
      String(reservationMarkerTtlMs),
      ...targetArguments,
    )) as number[];
    const [status, index] = reply;
    if (status === 2)
      return { status: 'unseeded', unseededIndexes: reply.slice(1).map((value) => value - 1) };
    const readings = readingsOf(reply.slice(2));
    if (status === 0) return { status: 'refused', refusedIndex: (index ?? 1) - 1, readings };
    return { status: 'reserved', readings };
  }

  async settle(request: SettleRequest): Promise<void> {
    const keys = [this.keys.budgetReservation(request.reservationId), ...this.counterKeys(request.targets)];
    await this.scripts.switchboardBudgetSettle(
      keys.length,
      ...keys,
      request.reservationId,
      String(request.chargeMicros),
      String(request.settledAt),
      String(request.markerTtlMs ?? reservationMarkerTtlMs),
      request.ledgerRecordedAt === undefined
        ? ''
        : request.ledgerRecordedAt === null
          ? 'absent'
          : String(request.ledgerRecordedAt),
    );
  }

  async seed(target: CounterTarget, spentMicros: number, now: number): Promise<void> {
    await this.scripts.switchboardBudgetSeed(
      1,
      this.counterKey(target),
      String(spentMicros),
      String(now),
      String(target.expiresAt ?? 0),
    );
  }

  async read(targets: readonly CounterTarget[]): Promise<(CounterReading | undefined)[]> {
    if (targets.length === 0) return [];
    const client = this.scripts as unknown as Redis;
    const pipeline = client.pipeline();
    for (const target of targets) pipeline.hmget(this.counterKey(target), 'spent', 'reserved', 'seededAt');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, values]) => {
      if (error !== null) throw error;
      const [spent, reserved, seededAt] = values as (string | null)[];
      if (seededAt === null || seededAt === undefined) return undefined;
      return { spentMicros: Number(spent ?? 0), reservedMicros: Number(reserved ?? 0) };
    });
  }

  async drop(targets: readonly CounterTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const client = this.scripts as unknown as Redis;
    await client.del(...this.counterKeys(targets));
  }

  private counterKeys(targets: readonly CounterTarget[]): string[] {
    return targets.flatMap((target) => {
      const counter = this.counterKey(target);
      return [
        counter,
        this.keys.budgetOpenReservations(
          target.budgetId,
          String(target.budgetStamp),
          periodLabel(target.periodStart),
        ),
      ];
    });
  }

  private counterKey(target: CounterTarget): string {
    return this.keys.budgetCounter(
      target.budgetId,
      String(target.budgetStamp),
      periodLabel(target.periodStart),
    );
  }
}

/** The period part of a counter key: the ISO start, readable in `redis-cli`. */
function periodLabel(periodStart: number): string {
  return new Date(periodStart).toISOString();
}

function readingsOf(values: readonly number[]): CounterReading[] {
  const readings: CounterReading[] = [];
  for (let index = 0; index + 1 < values.length; index += 2) {
    readings.push({ spentMicros: Number(values[index]), reservedMicros: Number(values[index + 1]) });
  }
  return readings;
}
