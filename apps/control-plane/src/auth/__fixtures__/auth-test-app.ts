import 'reflect-metadata';
import { Controller, Get, Post, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ConfigModule } from '../../config/config.module.ts';
import { loadControlPlaneConfig } from '../../config/control-plane-config.ts';
import { DatabaseModule } from '../../database/database.module.ts';
import type { OpenedDatabase } from '../../database/open-database.ts';
import { ApiExceptionFilter } from '../../errors/api-exception.filter.ts';
import { ServiceController } from '../../http/route-scope.ts';
import { ObservabilityModule } from '../../observability/observability.module.ts';
import type { AuthOptions } from '../auth-options.ts';
import { AuthModule } from '../auth.module.ts';

@ServiceController('things')
class ThingsController {
  @Get()
  list(): { data: string[] } {
    return { data: ['a thing'] };
  }
}

/** Stands in for the gateway's route, whose errors must be in OpenAI's shape. */
@ServiceController('chat')
class ChatController {
  @Post('completions')
  complete(): { object: string } {
    return { object: 'chat.completion' };
  }
}

/** An admin path whose controller forgot `AdminController`: the path alone must protect it. */
@Controller('admin/undeclared')
class UndeclaredAdminController {
  @Get()
  read(): { ok: boolean } {
    return { ok: true };
  }
}

@Controller('open')
class OpenController {
  @Get()
  read(): { ok: boolean } {
    return { ok: true };
  }
}

/** A clock the test moves by hand, so rate limits refill without waiting. */
export interface ManualClock {
  now(): number;
  advance(milliseconds: number): void;
}

export function manualClock(start = Date.UTC(2025, 0, 1)): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (milliseconds) => {
      current += milliseconds;
    },
  };
}

/** A running app with the auth module and a few routes of each access level, on a free port. */
export interface AuthTestApp {
  app: INestApplication;
  url: string;
  clock: ManualClock;
  /** Everything the module printed to "standard output" (the bootstrap key). */
  announced: string[];
  close(): Promise<void>;
}

export async function startAuthTestApp(
  opened: OpenedDatabase,
  options: { adminKey?: string; auth?: Partial<AuthOptions> } = {},
): Promise<AuthTestApp> {
  const config = loadControlPlaneConfig(
    {},
    { logLevel: 'silent', ...(options.adminKey === undefined ? {} : { adminKey: options.adminKey }) },
  );
  const clock = manualClock();
  const announced: string[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config, clock),
      DatabaseModule.forRoot(opened),
      ObservabilityModule,
      AuthModule.forRoot({ announce: (text) => announced.push(text), ...options.auth }),
    ],
    controllers: [ThingsController, ChatController, UndeclaredAdminController, OpenController],
    providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, clock, announced, close: () => app.close() };
}
