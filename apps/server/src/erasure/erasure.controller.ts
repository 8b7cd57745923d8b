import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBody, ApiConsumes, ApiOperation } from '@nestjs/swagger';
import { parseObjectBody, readBody } from '../common/request-body';
import { AdminTokenGuard, apiActor } from '../admin/admin-token.guard';
import { erasedPersonOf } from './erasure.request';
import { ErasureService } from './erasure.service';
import { ApiAdmin, ApiErrors, ApiJson, ApiOperatorOnly } from '../openapi/api-responses';
import { ERASURE_BODY } from '../openapi/api-schemas';

/** `POST /v1/erasures`: erase one person, by email or phone, from every campaign (docs/api.md › Erasures); operators only. */
@Controller('v1')
@UseGuards(AdminTokenGuard)
@ApiAdmin('erasures')
export class ErasureController {
  constructor(private readonly erasures: ErasureService) {}

  @Post('erasures')
  @HttpCode(200)
  @ApiOperation({ summary: 'Erase one person, by email or phone, from every campaign (docs/api.md › Erasures)' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: ERASURE_BODY })
  @ApiJson(200, 'Erased', 'How many leads were erased now (0 when nobody matched).')
  @ApiErrors([400, 413, 415, 422], { 400: 'A body that is not JSON.', 422: 'Neither or both of email and phone, another key, or a value the field type refuses.' })
  @ApiOperatorOnly()
  async erase(@Req() req: FastifyRequest) {
    const raw = await readBody(req);
    const body = raw.length ? parseObjectBody(raw, req.headers['content-type'] ?? 'application/json') : {};
    return this.erasures.erase(erasedPersonOf(body), apiActor(req));
  }
}
