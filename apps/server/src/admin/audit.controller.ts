import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery } from '@nestjs/swagger';
import { AuditLog, type AuditQuery } from '../audit/audit.log';
import { AdminTokenGuard } from './admin-token.guard';
import { ApiAdmin, ApiErrors, ApiJson } from '../openapi/api-responses';

/** `GET /v1/audit`: the operator actions, newest first (docs/api.md › Audit log); viewers may read it too. */
@Controller('v1/audit')
@UseGuards(AdminTokenGuard)
@ApiAdmin('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: 'The audit log, newest first (viewers may read it)' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1–500, default 50.' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: "The previous page's nextCursor." })
  @ApiQuery({ name: 'actor', required: false, type: String })
  @ApiQuery({ name: 'action', required: false, type: String })
  @ApiQuery({ name: 'campaign', required: false, type: String })
  @ApiJson(200, 'AuditPage', 'One page of entries.')
  @ApiErrors([400], { 400: 'A bad limit, or a cursor this API did not give out.' })
  list(@Query() query: AuditQuery) {
    return this.audit.page(query);
  }
}
