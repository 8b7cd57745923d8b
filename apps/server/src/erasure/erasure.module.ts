import { Module } from '@nestjs/common';
import { AdminTokenGuard } from '../admin/admin-token.guard';
import { AuditModule } from '../audit/audit.module';
import { EngineModule } from '../engine/engine.module';
import { ErasureController } from './erasure.controller';
import { ErasureService } from './erasure.service';

/** Erasure requests over the admin API, audited; the erasing itself is the engine's `LeadEraser`, shared with retention. */
@Module({
  imports: [EngineModule, AuditModule],
  controllers: [ErasureController],
  providers: [ErasureService, AdminTokenGuard],
})
export class ErasureModule {}
