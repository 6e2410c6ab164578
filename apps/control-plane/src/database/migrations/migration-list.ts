import type { Migration, MigrationProvider } from 'kysely';
import { apiKeysMigration } from '../../auth/auth.migration.ts';
import { budgetsMigration } from '../../cost/budgets/budgets.migration.ts';
import { feedbackMigration } from '../../decisions/feedback.migration.ts';
import { optimizerStateMigration } from '../../optimization/optimizer.migration.ts';
import { registryMigration } from './0001-registry.ts';
import { ledgerMigration } from './0004-ledger.ts';
import { ledgerRollupDeltasMigration } from './0007-ledger-rollup-deltas.ts';

/**
 * Every migration, in the order they run. Names are `NNNN_topic`; Kysely runs them in name order
 * and records each in `kysely_migration`. Append new ones (`0002_api_keys`, `0003_ledger`, ...);
 * never edit or reorder one that has shipped.
 */
const migrations: Readonly<Record<string, Migration>> = {
  '0001_registry': registryMigration,
  '0002_api_keys': apiKeysMigration,
  '0003_feedback': feedbackMigration,
  '0004_ledger': ledgerMigration,
  '0005_budgets': budgetsMigration,
  '0006_optimizer_state': optimizerStateMigration,
  '0007_ledger_rollup_deltas': ledgerRollupDeltasMigration,
};

/** The migrations from code rather than from files, so the built app and the tests run the same ones. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrations }),
};
