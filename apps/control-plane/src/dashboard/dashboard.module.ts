import { Module } from '@nestjs/common';
import { loadDashboardAssets } from './dashboard-assets.ts';
import { DASHBOARD_ASSETS, DashboardController } from './dashboard.controller.ts';

/**
 * The monitoring page for the people who run the game, served at `/`: one HTML page, one ES module
 * and one stylesheet (no build step), with Chart.js for the charts. All data comes from the admin
 * API (`/admin/health/models`, `/admin/decisions`, `/admin/analytics/*`, `/admin/budgets`, the
 * registry), read with the admin key the operator logs in with.
 */
@Module({
  controllers: [DashboardController],
  providers: [{ provide: DASHBOARD_ASSETS, useFactory: loadDashboardAssets }],
})
export class DashboardModule {}
