import { ConfigError, loadConfig } from './config';

describe('production mode settings (docs/security.md › Production mode)', () => {
  const load = (env: NodeJS.ProcessEnv) => loadConfig(env, () => 'generated-token');
  const problems = (env: NodeJS.ProcessEnv) => {
    try {
      load(env);
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.problems.map((p) => p.split(':')[0]);
    }
  };

  it('refuses a missing ADMIN_TOKENS and the demo buyer, both in one error', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual(['ADMIN_TOKENS', 'DEMO_BUYER']);
    expect(problems({ NODE_ENV: 'production', ADMIN_TOKENS: 'ops:token-1', DEMO_BUYER: 'on' })).toEqual(['DEMO_BUYER']);
    expect(problems({ NODE_ENV: 'production', DEMO_BUYER: 'off' })).toEqual(['ADMIN_TOKENS']);
    expect(() => load({ NODE_ENV: 'production' })).toThrow(/^leadrelay did not start: NODE_ENV=production refuses these settings:\n {2}ADMIN_TOKENS: /);
  });

  it('lists bad values first, as everywhere: a wrong DEMO_BUYER is invalid before it is insecure', () => {
    expect(() => load({ NODE_ENV: 'production', DEMO_BUYER: 'yes' })).toThrow(/^Invalid configuration:\n {2}DEMO_BUYER: /);
  });

  it('starts with a secure configuration, generating nothing', () => {
    const config = load({ NODE_ENV: 'production', ADMIN_TOKENS: 'ops:token-1', DEMO_BUYER: 'off' });
    expect([config.generatedAdminToken, config.adminTokens]).toEqual([undefined, ['token-1']]);
  });

  it('outside production keeps the laptop defaults: a generated token, the demo buyer on', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      const config = load({ NODE_ENV });
      expect([config.generatedAdminToken, config.DEMO_BUYER]).toEqual(['generated-token', 'on']);
    }
  });
});
