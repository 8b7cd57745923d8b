import { Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { parseObjectBody, readBody } from '../common/request-body';
import { AdminTokenGuard, apiActor } from '../admin/admin-token.guard';
import { erasedPersonOf } from './erasure.request';
import { ErasureService } from './erasure.service';

/** `POST /v1/erasures`: erase one person, by email or phone, from every campaign (docs/api.md › Erasures); operators only. */
@Controller('v1')
@UseGuards(AdminTokenGuard)
export class ErasureController {
  constructor(private readonly erasures: ErasureService) {}

  @Post('erasures')
  @HttpCode(200)
  async erase(@Req() req: FastifyRequest) {
    const raw = await readBody(req);
    const body = raw.length ? parseObjectBody(raw, req.headers['content-type'] ?? 'application/json') : {};
    return this.erasures.erase(erasedPersonOf(body), apiActor(req));
  }
}
