export { sftp, sftpOptionsSchema, type SftpOptions, type SftpPluginOptions } from './sftp.options';
export { sftpPlugin } from './sftp.plugin';
export { SftpPluginModule, SFTP_PLUGIN } from './sftp.module';
