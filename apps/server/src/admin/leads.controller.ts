import { Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { OperatorActions } from '../audit/operator.actions';
import { AdminTokenGuard, apiActor } from './admin-token.guard';
import { AdminQueries } from './admin-queries';
import { ApiAdmin, ApiErrors, ApiJson, ApiOperatorOnly } from '../openapi/api-responses';

/** Lead search, one lead with its dispatches and attempts; operator retry of a dispatch. */
@Controller('v1')
@UseGuards(AdminTokenGuard)
@ApiAdmin('leads')
export class LeadsController {
  constructor(
    private readonly queries: AdminQueries,
    private readonly actions: OperatorActions,
  ) {}

  /** Leads of every campaign by id, email or phone (docs/api.md › Search). */
  @Get('leads')
  @ApiOperation({ summary: 'Leads of every campaign by lead id, email or phone (docs/api.md › Search)' })
  @ApiQuery({ name: 'q', required: true, type: String, description: 'A lead id, an email address or a phone number.' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1–500, default 50.' })
  @ApiJson(200, 'LeadSearch', 'The leads found, newest first.')
  @ApiErrors([400], { 400: 'q is none of a lead id, an email or a phone; a bad limit.' })
  search(@Query('q') q: string | undefined, @Query('limit') limit: string | undefined) {
    return this.queries.search(q, limit);
  }

  @Get('leads/:id')
  @ApiOperation({ summary: 'One lead with raw, source and every attempt' })
  @ApiJson(200, 'LeadDetail', 'The lead.')
  @ApiErrors([404])
  lead(@Param('id') id: string) {
    return this.queries.lead(id);
  }

  @Post('dispatches/:id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed or rejected dispatch again' })
  @ApiJson(202, 'Retried', 'Back to pending, with a fresh retry schedule.')
  @ApiErrors([404, 409], { 409: 'It is pending or delivered, or it went out in a batch (retry the batch).' })
  @ApiOperatorOnly()
  async retryDispatch(@Param('id') id: string, @Req() req: FastifyRequest) {
    return this.actions.retryDispatch(apiActor(req), id);
  }
}
