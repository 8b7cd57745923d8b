export * from './admin-tokens';
export * from './config';
export * from './logger';
export * from './production-mode';
