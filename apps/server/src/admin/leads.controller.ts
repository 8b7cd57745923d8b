import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminQueries } from './admin-queries';
import { DispatchRetry } from '../engine/dispatch.retry';

/** One lead with its dispatches and attempts; operator retry of a dispatch. */
@Controller('v1')
@UseGuards(AdminTokenGuard)
export class LeadsController {
  constructor(
    private readonly queries: AdminQueries,
    private readonly retry: DispatchRetry,
  ) {}

  @Get('leads/:id')
  lead(@Param('id') id: string) {
    return this.queries.lead(id);
  }

  @Post('dispatches/:id/retry')
  @HttpCode(202)
  async retryDispatch(@Param('id') id: string) {
    return this.retry.retry(id);
  }
}
