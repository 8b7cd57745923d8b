import { Module } from '@nestjs/common';
import { sftpPlugin } from './sftp.plugin';

/** The injection token of the SFTP plugin; the host finds plugins by the SDK's brand, not by it. */
export const SFTP_PLUGIN = 'leadrelay.plugin.sftp';

/** Installs the SFTP delivery plugin (`sftp({ … })` from `@leadrelay/plugins/sftp` in campaign files). */
@Module({
  providers: [{ provide: SFTP_PLUGIN, useValue: sftpPlugin }],
  exports: [SFTP_PLUGIN],
})
export class SftpPluginModule {}
