import { Inject, Injectable } from '@nestjs/common';
import { RedisConnection } from '../../redis/redis-connection.ts';

/**
 * Tells every instance that budget definitions changed, through Redis pub/sub when it is configured,
 * so a budget created, changed or deleted on one instance applies on all of them at once rather
 * than when their cached list expires. Without Redis there is only this instance to tell.
 */
@Injectable()
export class BudgetChangeBus {
  constructor(@Inject(RedisConnection) private readonly connection: RedisConnection) {}

  /**
   * Calls `listener` on every change announced by any instance, and whenever the subscription
   * (re)connects, since announcements made while it was away are lost.
   */
  onChange(listener: () => void): void {
    if (!this.connection.configured) return;
    this.connection.subscribe(this.connection.keys.budgetChannel(), listener);
    this.connection.onSubscriberReady(listener);
  }

  /** Announces a change; an unreachable Redis only delays it to the other instances' cache expiry. */
  async announce(budgetId: string): Promise<void> {
    const client = this.connection.client;
    if (client === undefined || !this.connection.ready) return;
    await client.publish(this.connection.keys.budgetChannel(), budgetId).catch(() => undefined);
  }
}
