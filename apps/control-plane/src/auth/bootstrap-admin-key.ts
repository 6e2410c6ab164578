import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CONTROL_PLANE_CONFIG } from '../config/config.module.ts';
import type { ControlPlaneConfig } from '../config/control-plane-config.ts';
import { ApiKeyService } from './api-key.service.ts';
import { AUTH_OPTIONS, type AuthOptions } from './auth-options.ts';

/** The text printed once, to standard output, when the first admin key is generated. */
export function bootstrapKeyAnnouncement(key: string): string {
  return [
    '',
    'Switchboard generated the first admin API key. It is shown only this once: store it now (a password',
    'manager, or SWITCHBOARD_ADMIN_KEY for later starts). Only its hash is kept, so it cannot be shown again.',
    '',
    `    ${key}`,
    '',
    'Send it as "Authorization: Bearer <key>"; create service keys with POST /admin/api-keys.',
    '',
  ].join('\n');
}

/**
 * At start-up, after every module is ready (the database is migrated before Nest starts): stores
 * SWITCHBOARD_ADMIN_KEY hashed, or generates the first admin key on an empty table and prints it
 * once through `announce` (standard output, never the structured log).
 */
@Injectable()
export class BootstrapAdminKey implements OnApplicationBootstrap {
  readonly #logger = new Logger('Auth');

  constructor(
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const outcome = await this.keys.ensureBootstrapKey(this.config.adminKey);
    if (outcome.kind === 'generated') {
      this.options.announce(bootstrapKeyAnnouncement(outcome.key));
      this.#logger.log('Generated the first admin API key and printed it to standard output once.');
    } else if (outcome.kind === 'stored-from-environment') {
      this.#logger.log('Stored the admin API key from SWITCHBOARD_ADMIN_KEY (hashed).');
    }
  }
}
