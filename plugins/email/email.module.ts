import { Module } from '@nestjs/common';
import { emailPlugin } from './email.plugin';

/** The injection token of the email plugin; the host finds plugins by the SDK's brand, not by it. */
export const EMAIL_PLUGIN = 'leadrelay.plugin.email';

/** Installs the email delivery plugin (`plugin: 'email'` in campaign files). */
@Module({
  providers: [{ provide: EMAIL_PLUGIN, useValue: emailPlugin }],
  exports: [EMAIL_PLUGIN],
})
export class EmailPluginModule {}
