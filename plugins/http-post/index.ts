export { httpPostPlugin } from './http-post.plugin';
export { HttpPostPluginModule, HTTP_POST_PLUGIN } from './http-post.module';
export type { HttpPostPluginOptions } from './http-post.options';
export type { PreparedHttpPost } from './http-post.prepare';
export { classify } from './classify';
