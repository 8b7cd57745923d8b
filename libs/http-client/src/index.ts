export { PrivateNetworkPolicy, privateNetworkAllowProblems } from './private-network.policy';
export { UndiciHttpClient, type UndiciHttpClientOptions } from './undici-http.client';
