import { Controller, SetMetadata, applyDecorators } from '@nestjs/common';

/** The API-key scopes: `admin` may do everything, `service` may use the `/v1` API. */
export type RouteScope = 'admin' | 'service';

/**
 * Metadata key under which every controller records the scope its routes need. This is the one
 * place authentication attaches: a global guard reads it (`Reflector.getAllAndOverride`) and
 * admits or refuses the key. Routes without it (health, metrics, docs) are public.
 */
export const ROUTE_SCOPE = 'switchboard:route-scope';

/** A controller under `/admin`: its routes need an `admin` key. */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(Controller(`admin/${path}`.replace(/\/$/, '')), SetMetadata(ROUTE_SCOPE, 'admin'));
}

/** A controller under `/v1`: its routes need a `service` (or `admin`) key. */
export function ServiceController(path: string): ClassDecorator {
  return applyDecorators(Controller(`v1/${path}`.replace(/\/$/, '')), SetMetadata(ROUTE_SCOPE, 'service'));
}
