import { Controller, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiError } from '../common/http-errors';
import { parseObjectBody, readBody } from '../common/request-body';
import { ApiErrors, ApiJson } from '../openapi/api-responses';
import { PING_BODY, ref } from '../openapi/api-schemas';
import { IntakeService } from './intake.service';
import { PingLimiter } from './ping.limiter';
import { PingService, type PingAnswer } from './ping.service';

/** `POST /v1/campaigns/{campaignId}/pings` — a source asks before it posts (docs/api.md › Pings). */
@Controller('v1/campaigns/:campaignId/pings')
@ApiTags('intake')
@ApiSecurity('intakeKey')
export class PingsController {
  constructor(
    private readonly intake: IntakeService,
    private readonly pings: PingService,
    private readonly limiter: PingLimiter,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Ping with part of a lead: would the campaign take it, and at what price? (docs/api.md › Pings)' })
  @ApiHeader({ name: 'X-Api-Key', required: true, description: "One of the campaign's intakeKeys." })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ schema: PING_BODY })
  @ApiJson(200, 'PingAnswer', 'Answered, accepted or not; `pingId` is what the lead’s post then names.')
  @ApiResponse({
    status: 429,
    description: 'More than `PING_RATE_PER_MINUTE` pings from this intake key and address this minute.',
    headers: { 'Retry-After': { description: 'Seconds until this source may ping again.', schema: { type: 'integer' } } },
    content: { 'application/json': { schema: ref('ApiError') } },
  })
  @ApiErrors([400, 401, 404, 413, 415, 422, 500, 503], {
    400: 'Bad JSON, or a body that is not an object.',
    401: 'Missing or wrong X-Api-Key.',
    404: 'Unknown or archived campaign.',
    422: 'A field sent is invalid (a field left out is not checked); `errors` lists each.',
  })
  async ping(
    @Param('campaignId') campaignId: string,
    @Headers('x-api-key') apiKey: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PingAnswer> {
    const campaign = this.intake.authorise(campaignId, apiKey);
    const wait = await this.limiter.waitSeconds(campaign.id, apiKey!, req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new ApiError(429, 'rate_limited', `Too many pings from this source; try again in ${wait} s.`);
    }
    return this.pings.answer(campaign, parseObjectBody(await readBody(req), req.headers['content-type']));
  }
}
