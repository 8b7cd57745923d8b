import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Logger } from 'pino';
import type { PluginTools } from '@leadrelay/sdk/plugin';
import { UndiciHttpClient, type PrivateNetworkPolicy } from '@leadrelay/http-client';
import { NodemailerMailTransport } from '@leadrelay/mail';
import { HandlebarsTemplateEngine } from '@leadrelay/templating';
import { CampaignLoader, PLUGIN_TOOLS } from './campaign.loader';
import { Clock } from './clock';
import { PluginRegistry } from './plugin.registry';

export const LOGGER = Symbol('LOGGER');

export interface CampaignsModuleOptions {
  logger: Logger;
  smtpUrl?: string;
  outboxDir: string;
  /** BLOCK_PRIVATE_NETWORKS for the HTTP client; unset, buyers may be anywhere (the CLI, tests). */
  privateNetworks?: PrivateNetworkPolicy;
}

/**
 * Plugins, the tools the host hands them, and campaign loading. Shared by the server and the CLI;
 * the app imports the plugin modules it installs (see `plugins/installed-plugins.module.ts`).
 */
@Global()
@Module({})
export class CampaignsModule {
  static forRoot(options: CampaignsModuleOptions): DynamicModule {
    return {
      module: CampaignsModule,
      imports: [DiscoveryModule],
      providers: [
        PluginRegistry,
        CampaignLoader,
        Clock,
        { provide: LOGGER, useValue: options.logger },
        { provide: UndiciHttpClient, useFactory: () => new UndiciHttpClient({ privateNetworks: options.privateNetworks }) },
        { provide: NodemailerMailTransport, useFactory: () => new NodemailerMailTransport({ smtpUrl: options.smtpUrl, outboxDir: options.outboxDir }) },
        {
          provide: PLUGIN_TOOLS,
          inject: [UndiciHttpClient, NodemailerMailTransport, Clock],
          useFactory: (http: UndiciHttpClient, mail: NodemailerMailTransport, clock: Clock): PluginTools => ({
            http,
            mail,
            templates: new HandlebarsTemplateEngine(),
            clock,
            logger: options.logger,
          }),
        },
      ],
      exports: [PluginRegistry, CampaignLoader, Clock, LOGGER, PLUGIN_TOOLS, UndiciHttpClient, NodemailerMailTransport],
    };
  }
}
