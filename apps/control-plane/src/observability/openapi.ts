import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Where the interactive documentation is served; the JSON document is at `/docs/json`. */
export const openApiPath = 'docs';

/** Name of the bearer security scheme in the document (`Authorization: Bearer sb_...`). */
export const bearerSchemeName = 'bearer';

/** Name of the header security scheme in the document (`x-api-key: sb_...`). */
export const apiKeyHeaderSchemeName = 'x-api-key';

const authDescription =
  'An API key from POST /admin/api-keys (the first admin key is printed once at first start, or set ' +
  'with SWITCHBOARD_ADMIN_KEY). /admin/* needs an admin key; /v1/* a service or admin key; /health/*, ' +
  '/metrics and /docs are open.';

/** The OpenAPI document of every route the application has registered. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard control plane')
    .setDescription(
      'Model registry, OpenAI-compatible gateway, health and cost for therapeutic text adventures. ' +
        authDescription,
    )
    .setVersion('0.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'sb_<scope>_<key>', description: authDescription },
      bearerSchemeName,
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-api-key', description: authDescription },
      apiKeyHeaderSchemeName,
    )
    .addSecurityRequirements(bearerSchemeName)
    .addSecurityRequirements(apiKeyHeaderSchemeName)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the OpenAPI documentation at `/docs` (the JSON at `/docs/json`). Call it in the app's
 * set-up after the modules are created and before `listen`. These routes are served by the HTTP
 * adapter directly, outside Nest's guards, so they are open: the document holds no secrets.
 */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = createOpenApiDocument(app);
  SwaggerModule.setup(openApiPath, app, document, {
    jsonDocumentUrl: `${openApiPath}/json`,
    yamlDocumentUrl: `${openApiPath}/yaml`,
  });
  return document;
}
