import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CampaignsModule } from '@leadrelay/campaigns';
import { InstalledPluginsModule } from '@leadrelay/plugins/installed-plugins.module';

/** What the CLI needs: plugins and campaign loading; no database, no Redis. */
@Module({})
export class CliModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: CliModule,
      imports: [CampaignsModule.forRoot({ logger, outboxDir: 'var/outbox' }), InstalledPluginsModule],
    };
  }
}
