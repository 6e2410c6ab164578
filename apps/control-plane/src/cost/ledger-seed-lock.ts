/**
 * The advisory lock that orders ledger writes against budget seeds, so that a budget counter can
 * tell exactly which attempts its seed already holds.
 *
 * A budget counter that Redis does not have (a new period, a new budget, a Redis that restarted
 * empty) is seeded with the ledger's sum and stamped with the moment of that sum; a charge replayed
 * later is added only when the ledger received its attempt after that stamp. For that test to be
 * exact, "received before the stamp" must mean "included in the sum". Without a lock it does not: a
 * write stamped before a seed but committed after its snapshot is in neither the sum nor the
 * replay, and the counter comes out short (seen as up to 15% below the ledger after a Redis restart
 * under load).
 *
 * So every ledger write takes this lock SHARED for its transaction and only then stamps
 * `received_at` with the database's `clock_timestamp()`; a seed takes it EXCLUSIVE, which waits for
 * every write holding it to commit, and then, in its next statement, stamps itself with
 * `clock_timestamp()` and sums. A write stamped before the seed committed before the seed's
 * snapshot and is in the sum; a write stamped after it could only take the lock once the seed was
 * done. Writes never wait for each other; a seed (rare) holds writes back for the time of its sum.
 * Both stamps are read from one clock, the database's.
 *
 * The key is a fixed 64-bit number (ASCII "sbledger"), chosen so that no other user of the same
 * database is likely to pick it.
 */
export const ledgerSeedLockKey = 0x73626c6564676572n;
