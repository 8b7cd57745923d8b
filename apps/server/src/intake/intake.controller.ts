import { Controller, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { badRequest } from '../common/http-errors';
import { parseObjectBody, readBody } from '../common/request-body';
import { IntakeService, type AcceptedLead } from './intake.service';
import { ApiErrors, ApiJson } from '../openapi/api-responses';
import { LEAD_BODY } from '../openapi/api-schemas';

/** `POST /v1/campaigns/{campaignId}/leads` — what lead sources call (docs/api.md, Intake). */
@Controller('v1/campaigns/:campaignId/leads')
@ApiTags('intake')
@ApiSecurity('intakeKey')
export class IntakeController {
  constructor(private readonly intake: IntakeService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Submit a lead (docs/api.md › Intake)' })
  @ApiHeader({ name: 'X-Api-Key', required: true, description: "One of the campaign's intakeKeys." })
  @ApiQuery({ name: 'wait', required: false, type: Number, description: 'Answer once every real-time dispatch is final or this many ms (at most 30000) have passed.' })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: LEAD_BODY })
  @ApiJson(201, 'AcceptedLead', 'Stored; without `wait` every status is `pending`.')
  @ApiErrors([400, 401, 404, 409, 413, 415, 422, 500, 503], {
    400: 'Bad JSON, a body that is not an object, or a bad `wait`.',
    401: 'Missing or wrong X-Api-Key.',
    404: 'Unknown or archived campaign.',
    409: '`ping_refused`: the body’s `pingId` is unknown, another campaign’s, was not accepted, was used, has expired, or carried other values (docs/api.md › Pings); nothing was stored.',
  })
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
    const { pingId, ...body } = parseObjectBody(await readBody(req), req.headers['content-type']);
    // `pingId` names the ping this lead follows (docs/api.md › Pings); it is no value of the lead's, nor of its `raw`.
    const accepted = await this.intake.accept(campaign, body, req.ip, pingId);
    return waitMs ? this.intake.waitForOutcome(campaign, accepted, waitMs) : accepted;
  }
}
