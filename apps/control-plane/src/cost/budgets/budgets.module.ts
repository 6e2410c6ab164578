import { Global, Module } from '@nestjs/common';
import { BudgetChangeBus } from './budget-change-bus.ts';
import { BudgetCountersRepository } from './budget-counters.repository.ts';
import { BudgetDefinitionRepository } from './budget-definition.repository.ts';
import { BudgetLedgerRepository } from './budget-ledger.repository.ts';
import { BudgetService } from './budget.service.ts';
import { BudgetsController } from './budgets.controller.ts';
import { ReportedSpendingSettler } from './reported-spending.ts';

/**
 * Budgets: `/admin/budgets` and the {@link BudgetService} the gateway asks before selecting and
 * before every attempt. Global, so the gateway injects the service without importing this module.
 * Needs the config, database and Redis modules; uses observability when present, and counts the
 * spending SDKs report through telemetry (the traffic module's bus) when it is there.
 */
@Global()
@Module({
  controllers: [BudgetsController],
  providers: [
    BudgetDefinitionRepository,
    BudgetLedgerRepository,
    BudgetCountersRepository,
    BudgetChangeBus,
    BudgetService,
    ReportedSpendingSettler,
  ],
  exports: [BudgetService],
})
export class BudgetsModule {}
