import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_SCHEMAS } from './api-schemas';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** The root package.json, found upwards from here (apps/server/src/openapi in the sources, dist/… when built). */
function packageInfo(): { version: string; description: string } {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'leadrelay') return pkg;
    }
  }
  return { version: '0.0.0', description: '' };
}

/**
 * The intake and admin API's OpenAPI 3 document, from the controllers' decorators and
 * `api-schemas.ts` (docs/api.md › OpenAPI). It holds the routes of the modules this process
 * serves: a worker's has `/health` and `/metrics` only. The console and the demo buyer are left out
 * (`@ApiExcludeController`).
 */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const pkg = packageInfo();
  const config = new DocumentBuilder()
    .setTitle('leadrelay')
    .setDescription(`${pkg.description}\n\nErrors, roles and every answer: docs/api.md in the repository.`)
    .setVersion(pkg.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token from ADMIN_TOKENS (docs/api.md › Tokens and roles).' }, 'adminToken')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key', description: "One of the campaign's intakeKeys; a key works only for its campaign." }, 'intakeKey')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...API_SCHEMAS } };
  // Served by SwaggerModule.setup rather than a controller, so described here.
  document.paths[OPENAPI_PATH] = {
    get: {
      operationId: 'openApiDocument',
      summary: 'This document',
      tags: ['operations'],
      responses: { 200: { description: 'The OpenAPI 3 document.', content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'info', 'paths'] } } } } },
    },
  };
  return document;
}

/**
 * Serves the document at `GET /openapi.json` and swagger-ui at `/docs`, both without auth (they
 * hold no data). Swagger-ui's files come from the installed swagger-ui-dist through @fastify/static,
 * so the page calls nothing outside the host; the validator badge, which would, is off. Called
 * before the app starts listening: Fastify takes no routes after that.
 */
export function serveOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_PATH,
    raw: ['json'],
    customSiteTitle: 'leadrelay API',
    swaggerOptions: { validatorUrl: null, tryItOutEnabled: false },
  });
  return document;
}
