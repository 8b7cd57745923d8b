export * from './campaign-definition';
export * from './campaign-file.loader';
export * from './campaign.loader';
export * from './campaigns.module';
export * from './clock';
export * from './plugin.registry';
export * from './resolved-campaign';
export * from './stored-campaign';
