import { Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminController } from '../http/route-scope.ts';
import { ModelHealthService, type ModelHealthReport } from './model-health.service.ts';
import { ProbeScheduler, type ProbeSchedulerStatus } from './probe-scheduler.ts';

/** `GET /admin/health/models`: every model's health, and what the probe scheduler is doing. */
export interface ModelHealthList {
  data: ModelHealthReport[];
  probes: ProbeSchedulerStatus;
}

/** Per-model health for operators: circuit state, last probe, error rate, latency quantiles. */
@ApiTags('health')
@AdminController('health/models')
export class ModelHealthController {
  constructor(
    @Inject(ModelHealthService) private readonly health: ModelHealthService,
    @Inject(ProbeScheduler) private readonly scheduler: ProbeScheduler,
  ) {}

  /** The registry's enabled models first (in registry order), then any other model traffic reported on. */
  @Get()
  async list(): Promise<ModelHealthList> {
    const targets = (await this.scheduler.targetSource()?.listTargets()) ?? [];
    const providers = new Map(targets.map((target) => [target.modelId, target.provider]));
    const modelIds = [...providers.keys()];
    for (const modelId of this.health.observedModels()) if (!providers.has(modelId)) modelIds.push(modelId);
    return {
      data: modelIds.map((modelId) => this.health.describe(modelId, providers.get(modelId) ?? null)),
      probes: this.scheduler.status(),
    };
  }

  /**
   * Closes a model's circuit now, for an operator who knows the provider has recovered. Ids with
   * `/` are URL-encoded (`/admin/health/models/openai%2Fgpt-4o/reset`).
   */
  @Post(':modelId/reset')
  @HttpCode(200)
  reset(@Param('modelId') modelId: string): ModelHealthReport {
    this.health.reset(modelId);
    return this.health.describe(modelId, null);
  }
}
