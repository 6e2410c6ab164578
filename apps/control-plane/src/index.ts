/**
 * @switchboard/control-plane: the NestJS service (registry, gateway, health, cost, auth). Hosts and
 * tests start it with `createControlPlaneApp`; `main.ts` is the command-line entry point.
 */
export {
  createControlPlaneApp,
  type ControlPlaneApp,
  type ControlPlaneAppOptions,
  type ControlPlaneUrls,
} from './app.ts';
export {
  ConfigurationError,
  controlPlaneConfigSchema,
  describeConfig,
  environmentVariableOf,
  loadControlPlaneConfig,
  type ControlPlaneConfig,
  type ControlPlaneConfigOverrides,
  type Environment,
  type LogLevel,
} from './config/control-plane-config.ts';
export { CLOCK, systemClock, type Clock } from './config/clock.ts';
export { CONTROL_PLANE_CONFIG } from './config/config.module.ts';
export { DATABASE, DATABASE_ENGINE } from './database/database.module.ts';
export type { Database } from './database/database.ts';
export { openDatabase, type DatabaseEngine, type OpenedDatabase } from './database/open-database.ts';
export { apiErrorStatus, type ApiErrorCode } from './errors/api-error-codes.ts';
export { ApiError, type ApiErrorBody, type ApiIssue } from './errors/api-error.ts';
export { ROUTE_SCOPE, type RouteScope } from './http/route-scope.ts';
export {
  REGISTRY_CHANGE_BUS,
  type RegistryChange,
  type RegistryChangeBus,
} from './registry/registry-change-bus.ts';
