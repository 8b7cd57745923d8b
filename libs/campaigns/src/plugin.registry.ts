import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type DeliveryPlugin } from '@leadrelay/sdk/plugin';
import { isDeliveryPlugin } from '@leadrelay/sdk/internal';

/** The installed delivery plugins, found among the providers of the plugin modules. */
@Injectable()
export class PluginRegistry implements OnModuleInit {
  private readonly plugins = new Map<string, DeliveryPlugin>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!isDeliveryPlugin(instance)) continue;
      const existing = this.plugins.get(instance.name);
      if (existing && existing !== instance) throw new Error(`two delivery plugins are named '${instance.name}'`);
      this.plugins.set(instance.name, instance);
    }
  }

  get(name: string): DeliveryPlugin | undefined {
    return this.plugins.get(name);
  }

  /** What `import … from '@leadrelay/plugins/<name>'` gives a campaign file; undefined when not installed. */
  campaignExports(name: string): Readonly<Record<string, unknown>> | undefined {
    const plugin = this.plugins.get(name);
    return plugin ? (plugin.campaignExports ?? {}) : undefined;
  }

  names(): string[] {
    return [...this.plugins.keys()].sort();
  }
}
