import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { AdminQueries } from './admin-queries';
import { AdminTokenGuard } from './admin-token.guard';
import { BatchesController } from './batches.controller';
import { CampaignsController } from './campaigns.controller';
import { LeadsController } from './leads.controller';

/** The admin API (`/v1`, bearer token): campaigns, leads, retries, manual deliveries, batches, exports. */
@Module({
  imports: [EngineModule],
  controllers: [CampaignsController, LeadsController, BatchesController],
  providers: [AdminQueries, AdminTokenGuard],
  exports: [AdminQueries],
})
export class AdminModule {}
