import { Module } from '@nestjs/common';
import { EmailPluginModule } from './email';
import { HttpPostPluginModule } from './http-post';
import { ManualFilePluginModule } from './manual-file';
import { SftpPluginModule } from './sftp';

/**
 * The delivery plugins this host runs. Installing a plugin is adding its module here; campaigns
 * then choose it by name. The host finds each plugin by the SDK's brand among the providers.
 */
@Module({ imports: [HttpPostPluginModule, EmailPluginModule, ManualFilePluginModule, SftpPluginModule] })
export class InstalledPluginsModule {}
