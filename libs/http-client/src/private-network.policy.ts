import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { TransportError } from '@leadrelay/sdk/plugin';

type Family = 'ipv4' | 'ipv6';

/**
 * The address ranges BLOCK_PRIVATE_NETWORKS refuses, each with the words its refusal uses.
 * Checked in this order: the metadata addresses sit inside the link-local and private ranges and
 * deserve their own name (docs/security.md › Private networks).
 */
const REFUSED_RANGES: { kind: string; subnets: [network: string, prefix: number, family: Family][] }[] = [
  { kind: 'a cloud metadata', subnets: [['169.254.169.254', 32, 'ipv4'], ['fd00:ec2::254', 128, 'ipv6']] },
  { kind: 'a loopback', subnets: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']] },
  { kind: 'an unspecified', subnets: [['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']] },
  { kind: 'a private', subnets: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']] },
  { kind: 'a link-local', subnets: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']] },
  { kind: 'a shared (CGNAT)', subnets: [['100.64.0.0', 10, 'ipv4']] },
];

const RANGES = REFUSED_RANGES.map(({ kind, subnets }) => {
  const list = new BlockList();
  for (const [network, prefix, family] of subnets) list.addSubnet(network, prefix, family);
  return { kind, list };
});

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** Lower case, without a trailing dot or IPv6 brackets: how an allow-list entry and a URL's host compare. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** The words of a refusal, e.g. `127.0.0.1 is a loopback address (BLOCK_PRIVATE_NETWORKS)`. */
function refusalText(address: string, kind: string, hostname: string): string {
  const subject = normalHost(hostname) === address ? address : `${hostname} resolves to ${address}, which`;
  return `${subject} is ${kind} address (BLOCK_PRIVATE_NETWORKS)`;
}

/** One `PRIVATE_NETWORK_ALLOW` entry's problem, or undefined when it is a CIDR, an address or a host name. */
function allowEntryProblem(entry: string): string | undefined {
  const [network, prefix, ...rest] = entry.split('/');
  if (prefix === undefined) return familyOf(entry) || HOST_NAME.test(normalHost(entry)) ? undefined : `'${entry}' is neither a CIDR, an IP address nor a host name`;
  const family = familyOf(network);
  const max = family === 'ipv4' ? 32 : 128;
  if (!family || rest.length > 0 || !/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `'${entry}' is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)`;
  return undefined;
}

/** Every problem of a `PRIVATE_NETWORK_ALLOW` value, for the configuration check (all at once). */
export function privateNetworkAllowProblems(allow: string): string[] {
  return allowEntries(allow)
    .map(allowEntryProblem)
    .filter((p): p is string => p !== undefined);
}

function allowEntries(allow: string): string[] {
  return allow
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/**
 * BLOCK_PRIVATE_NETWORKS: which addresses a buyer request may connect to. It judges the address
 * a connection is really made to (after DNS), so a buyer name that resolves, or is rebound, to
 * an internal address is refused like the address itself. `allow` lists CIDRs, addresses and host
 * names let through anyway (`PRIVATE_NETWORK_ALLOW`); a host name is let through whatever it
 * resolves to.
 */
export class PrivateNetworkPolicy {
  private readonly allowedAddresses = new BlockList();
  private readonly allowedHosts = new Set<string>();

  /** Throws on a bad entry: the configuration check (`privateNetworkAllowProblems`) runs first. */
  constructor(allow = '') {
    const problems = privateNetworkAllowProblems(allow);
    if (problems.length > 0) throw new Error(`PRIVATE_NETWORK_ALLOW: ${problems.join('; ')}`);
    for (const entry of allowEntries(allow)) {
      const [network, prefix] = entry.split('/');
      const family = familyOf(network);
      if (!family) this.allowedHosts.add(normalHost(entry));
      else if (prefix === undefined) this.allowedAddresses.addAddress(network, family);
      else this.allowedAddresses.addSubnet(network, Number(prefix), family);
    }
  }

  /** Whether a URL's host is on the allow-list by name (connections to it are not judged). */
  allowsHost(hostname: string): boolean {
    return this.allowedHosts.has(normalHost(hostname));
  }

  /** Why a connection to `address` (reached as `hostname`) is refused, or undefined when it may go ahead. */
  refusal(address: string, hostname = address): string | undefined {
    const family = familyOf(address);
    if (!family || this.allowedAddresses.check(address, family)) return undefined;
    const range = RANGES.find(({ list }) => list.check(address, family));
    return range && refusalText(address, range.kind, hostname);
  }

  /**
   * A `lookup` for `net.connect`: resolves as usual, then refuses the name when any of its
   * addresses is refused (a name with a public and a private address could otherwise reach the
   * private one through happy eyeballs).
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as LookupOneOptions), all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => this.refusal(a.address, hostname)).find((r) => r !== undefined);
      if (refused) return callback(new TransportError('blocked', refused), '', 0);
      if ((options as LookupAllOptions).all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * undici's connector with the policy in front: an IP address in the URL is judged before
 * connecting (`net.connect` does no lookup for one), a name by the lookup the socket itself uses,
 * so the address judged is the address connected to; names on the allow-list connect unjudged.
 */
export function privateNetworkConnector(policy: PrivateNetworkPolicy, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const plain = buildConnector(options);
  const judged = buildConnector({ ...options, lookup: policy.lookup });
  return (target, callback) => {
    if (policy.allowsHost(target.hostname)) return plain(target, callback);
    if (!isIP(target.hostname)) return judged(target, callback);
    const refused = policy.refusal(target.hostname);
    if (!refused) return plain(target, callback);
    queueMicrotask(() => callback(new TransportError('blocked', refused), null));
  };
}
