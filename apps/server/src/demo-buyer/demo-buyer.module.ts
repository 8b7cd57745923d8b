import { Module } from '@nestjs/common';
import { DemoBuyerController } from './demo-buyer.controller';

/** A buyer to watch deliveries arrive on a fresh machine (`DEMO_BUYER=on`, the default). */
@Module({ controllers: [DemoBuyerController] })
export class DemoBuyerModule {}
