export { UndiciHttpClient, type UndiciHttpClientOptions } from './undici-http.client';
