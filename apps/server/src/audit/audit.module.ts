import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { AuditLog } from './audit.log';
import { OperatorActions } from './operator.actions';

/**
 * The audit log and the operator actions that write to it. Import this module for `AuditLog` to
 * record an action of your own (`record({ actor, action, campaignId?, deliveryId?, count?, detail? })`).
 */
@Module({
  imports: [EngineModule],
  providers: [AuditLog, OperatorActions],
  exports: [AuditLog, OperatorActions],
})
export class AuditModule {}
