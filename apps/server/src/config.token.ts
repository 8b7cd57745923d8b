import type { AppConfig } from '@leadrelay/config';

export const APP_CONFIG = Symbol('APP_CONFIG');
export type ServerConfig = AppConfig;
