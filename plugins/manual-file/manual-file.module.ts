import { Module } from '@nestjs/common';
import { manualFilePlugin } from './manual-file.plugin';

/** The injection token of the manual-file plugin; the host finds plugins by the SDK's brand, not by it. */
export const MANUAL_FILE_PLUGIN = 'leadrelay.plugin.manual-file';

/** Installs the manual-file delivery plugin (`plugin: 'manual-file'` in campaign files). */
@Module({
  providers: [{ provide: MANUAL_FILE_PLUGIN, useValue: manualFilePlugin }],
  exports: [MANUAL_FILE_PLUGIN],
})
export class ManualFilePluginModule {}
