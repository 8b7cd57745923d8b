export { emailPlugin, type EmailPluginOptions } from './email.plugin';
export { EmailPluginModule, EMAIL_PLUGIN } from './email.module';
