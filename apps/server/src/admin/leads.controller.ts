import { Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OperatorActions } from '../audit/operator.actions';
import { AdminTokenGuard, apiActor } from './admin-token.guard';
import { AdminQueries } from './admin-queries';

/** Lead search, one lead with its dispatches and attempts; operator retry of a dispatch. */
@Controller('v1')
@UseGuards(AdminTokenGuard)
export class LeadsController {
  constructor(
    private readonly queries: AdminQueries,
    private readonly actions: OperatorActions,
  ) {}

  /** Leads of every campaign by id, email or phone (docs/api.md › Search). */
  @Get('leads')
  search(@Query('q') q: string | undefined, @Query('limit') limit: string | undefined) {
    return this.queries.search(q, limit);
  }

  @Get('leads/:id')
  lead(@Param('id') id: string) {
    return this.queries.lead(id);
  }

  @Post('dispatches/:id/retry')
  @HttpCode(202)
  async retryDispatch(@Param('id') id: string, @Req() req: FastifyRequest) {
    return this.actions.retryDispatch(apiActor(req), id);
  }
}
