import { Controller, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../common/http-errors';
import { parseObjectBody, readBody } from '../common/request-body';
import { IntakeService, type AcceptedLead } from './intake.service';

/** `POST /v1/campaigns/{campaignId}/leads` — what lead sources call (docs/api.md, Intake). */
@Controller('v1/campaigns/:campaignId/leads')
export class IntakeController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(201)
  async submit(
    @Param('campaignId') campaignId: string,
    @Headers('x-api-key') apiKey: string | undefined,
    @Query('wait') wait: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<AcceptedLead> {
    const campaign = this.intake.authorise(campaignId, apiKey);
    let waitMs: number | undefined;
    if (wait !== undefined) {
      waitMs = Number(wait);
      if (!/^\d+$/.test(wait) || waitMs > 30_000) throw badRequest('wait must be a whole number of milliseconds, at most 30000.');
    }
    const body = parseObjectBody(await readBody(req), req.headers['content-type']);
    const accepted = await this.intake.accept(campaign, body, req.ip);
    return waitMs ? this.intake.waitForOutcome(campaign, accepted, waitMs) : accepted;
  }
}
