import { Module } from '@nestjs/common';
import { ProviderAdaptersService } from './provider-adapters.service.ts';

/**
 * The provider adapters of registry models (see {@link ProviderAdaptersService}). Needs the config
 * module (global) for the environment the adapters read API keys from.
 */
@Module({
  providers: [ProviderAdaptersService],
  exports: [ProviderAdaptersService],
})
export class ProvidersModule {}
