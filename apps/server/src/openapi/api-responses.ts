import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ref, type ApiSchemaName } from './api-schemas';

/** When each error status is answered (docs/api.md › Errors); every one has the `ApiError` body. */
const ERROR_WHEN = {
  400: 'Malformed body or query value.',
  401: 'Missing or wrong intake key or admin token.',
  403: "A viewer's token asked to change something (docs/api.md › Tokens and roles).",
  404: 'Unknown campaign, lead, dispatch, batch or delivery; ids that are not UUIDs.',
  409: 'Not in a state that allows it.',
  413: 'Body over 64 KiB.',
  415: 'Body neither JSON nor form-encoded.',
  422: 'Invalid or missing fields; `errors` lists each.',
  500: 'Anything else (logged).',
  503: 'PostgreSQL unreachable: nothing was stored, try again.',
} as const;

export type ErrorStatus = keyof typeof ERROR_WHEN;

/** A JSON answer with one of `api-schemas.ts`'s shapes. */
export const ApiJson = (status: number, schema: ApiSchemaName, description: string) =>
  ApiResponse({ status, description, content: { 'application/json': { schema: ref(schema) } } });

/** Error answers, `ApiError` bodies; `when` replaces the general wording for this route. */
export const ApiErrors = (statuses: ErrorStatus[], when: Partial<Record<ErrorStatus, string>> = {}) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: when[status] ?? ERROR_WHEN[status], content: { 'application/json': { schema: ref('ApiError') } } }),
    ),
  );

/** A CSV or TSV file download (common/file.response.ts): attachment, `Cache-Control: no-store`. */
export const ApiFile = (description: string) =>
  ApiResponse({
    status: 200,
    description,
    headers: {
      'Content-Disposition': { description: 'attachment; filename="…" (plus filename* for non-ASCII names)', schema: { type: 'string' } },
      'Cache-Control': { schema: { type: 'string', enum: ['no-store'] } },
    },
    content: {
      'text/csv': { schema: { type: 'string' } },
      'text/tab-separated-values': { schema: { type: 'string' } },
    },
  });

/**
 * An admin API controller: bearer token (`adminToken`), 401 without a valid one, and the answers
 * any route can give when PostgreSQL fails. A route that changes something adds `ApiOperatorOnly`.
 */
export const ApiAdmin = (tag: string) => applyDecorators(ApiTags(tag), ApiBearerAuth('adminToken'), ApiErrors([401, 500, 503]));

/** Routes a viewer's token may not use: the guard answers 403 to any method but GET and HEAD. */
export const ApiOperatorOnly = () => ApiErrors([403]);
