import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AuditLog, type AuditQuery } from '../audit/audit.log';
import { AdminTokenGuard } from './admin-token.guard';

/** `GET /v1/audit`: the operator actions, newest first (docs/api.md › Audit log); viewers may read it too. */
@Controller('v1/audit')
@UseGuards(AdminTokenGuard)
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  list(@Query() query: AuditQuery) {
    return this.audit.page(query);
  }
}
