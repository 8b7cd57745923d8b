import { HttpException } from '@nestjs/common';

/** Every error answer is JSON: `{ error, message, errors? }` (docs/api.md). */
export class ApiError extends HttpException {
  constructor(status: number, code: string, message: string, errors?: { field: string; message: string }[]) {
    super({ error: code, message, ...(errors ? { errors } : {}) }, status);
  }
}

export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
