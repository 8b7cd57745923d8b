import { Module } from '@nestjs/common';
import { httpPostPlugin } from './http-post.plugin';

/** The injection token of the http-post plugin; the host finds plugins by the SDK's brand, not by it. */
export const HTTP_POST_PLUGIN = 'leadrelay.plugin.http-post';

/** Installs the real-time HTTP/HTTPS delivery plugin (`plugin: 'http-post'`, or `httpPost({...})` in campaign files). */
@Module({
  providers: [{ provide: HTTP_POST_PLUGIN, useValue: httpPostPlugin }],
  exports: [HTTP_POST_PLUGIN],
})
export class HttpPostPluginModule {}
