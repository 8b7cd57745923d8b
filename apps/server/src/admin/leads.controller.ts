import { Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { OperatorActions } from '../audit/operator.actions';
import { AdminTokenGuard, apiActor } from './admin-token.guard';
import { AdminQueries } from './admin-queries';

/** One lead with its dispatches and attempts; operator retry of a dispatch. */
@Controller('v1')
@UseGuards(AdminTokenGuard)
export class LeadsController {
  constructor(
    private readonly queries: AdminQueries,
    private readonly actions: OperatorActions,
  ) {}

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
