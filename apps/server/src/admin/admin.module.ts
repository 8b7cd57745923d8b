import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { EngineModule } from '../engine/engine.module';
import { AdminQueries } from './admin-queries';
import { AdminTokenGuard } from './admin-token.guard';
import { AuditController } from './audit.controller';
import { BatchesController } from './batches.controller';
import { CampaignsController } from './campaigns.controller';
import { LeadsController } from './leads.controller';

/** The admin API (`/v1`, bearer token): campaigns, leads, retries, manual deliveries, batches, exports, the audit log. */
@Module({
  imports: [EngineModule, AuditModule],
  controllers: [CampaignsController, LeadsController, BatchesController, AuditController],
  providers: [AdminQueries, AdminTokenGuard],
  exports: [AdminQueries],
})
export class AdminModule {}
