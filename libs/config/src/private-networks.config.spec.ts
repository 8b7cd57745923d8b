import { blocksPrivateNetworks, ConfigError, loadConfig } from './config';

describe('BLOCK_PRIVATE_NETWORKS and PRIVATE_NETWORK_ALLOW settings', () => {
  const load = (env: NodeJS.ProcessEnv) => loadConfig({ ADMIN_TOKENS: 'ops:a-long-operator-token-1234567890', DEMO_BUYER: 'off', ...env }, () => 'generated');

  it('is on by default in production only, and as set otherwise', () => {
    expect(blocksPrivateNetworks(load({}))).toBe(false);
    expect(blocksPrivateNetworks(load({ NODE_ENV: 'test' }))).toBe(false);
    expect(blocksPrivateNetworks(load({ NODE_ENV: 'production' }))).toBe(true);
    expect(blocksPrivateNetworks(load({ NODE_ENV: 'production', BLOCK_PRIVATE_NETWORKS: 'off' }))).toBe(false);
    expect(blocksPrivateNetworks(load({ BLOCK_PRIVATE_NETWORKS: 'on' }))).toBe(true);
  });

  it('lists every bad allow-list entry, and a bad switch, in one error', () => {
    let error: unknown;
    try {
      load({ BLOCK_PRIVATE_NETWORKS: 'yes', PRIVATE_NETWORK_ALLOW: '10.0.0.0/33, buyer.internal, not a host' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems } = error as ConfigError;
    expect(problems).toContainEqual(expect.stringMatching(/^BLOCK_PRIVATE_NETWORKS: /));
    expect(problems).toContain("PRIVATE_NETWORK_ALLOW: '10.0.0.0/33' is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)");
    expect(problems).toContain("PRIVATE_NETWORK_ALLOW: 'not a host' is neither a CIDR, an IP address nor a host name");
  });
});
