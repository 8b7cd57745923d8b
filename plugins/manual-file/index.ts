export { manualFilePlugin, type ManualFilePluginOptions } from './manual-file.plugin';
export { ManualFilePluginModule, MANUAL_FILE_PLUGIN } from './manual-file.module';
