import { z } from 'zod';
import { privateNetworkAllowProblems } from '@leadrelay/http-client';
import { DEFAULT_DATABASE_URL } from '@leadrelay/persistence';
import { durationProblem } from '@leadrelay/sdk/internal';
import { GENERATED_TOKEN_NAME, parseAdminTokens, type AdminAccount } from './admin-tokens';
import { inProduction, insecureSettings } from './production-mode';

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Comma-separated `token`, `name:token` or `name:token:viewer` (admin-tokens.ts). */
  ADMIN_TOKENS: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      for (const problem of parseAdminTokens(v).problems) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * The key that signs console session cookies; every instance behind one address needs the same.
   * Unset, it is derived from `ADMIN_TOKENS` (docs/api.md › Console › Sessions).
   */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** A console session unused this long is over (12 h). */
  CONSOLE_SESSION_IDLE_MS: z.coerce.number().int().min(60_000).default(12 * 3_600_000),
  /** A console session is over this long after its sign-in, used or not (7 days). */
  CONSOLE_SESSION_MAX_MS: z.coerce.number().int().min(60_000).default(7 * 24 * 3_600_000),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  OUTBOX_DIR: z.string().default('var/outbox'),
  LEADRELAY_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  CAMPAIGNS_DIR: z.string().default('campaigns'),
  /** A prefix for BullMQ keys, so several test runs can share one Redis. */
  QUEUE_PREFIX: z.string().default('leadrelay'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Dispatch worker concurrency per process. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  /**
   * How long a dispatch worker's claim on a job lasts without being renewed (renewed at half of
   * it while the job runs). A worker that dies (SIGKILL, OOM, power) leaves its jobs claimed until
   * then; after that the stalled-job check hands them to another worker.
   */
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** How often workers look for jobs whose claim ran out (a dead worker's) and put them back. */
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often the sweeper looks for pending real-time dispatches without a live job. */
  SWEEP_EVERY_MS: z.coerce.number().int().min(100).default(30_000),
  /** A pending dispatch younger than this is left to its own job by the sweeper. */
  SWEEP_GRACE_MS: z.coerce.number().int().min(0).default(15_000),
  /** Connections for requests and workers (intake, claims, outcomes). */
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(20),
  /**
   * Connections for long streams (exports, batch downloads, email attachments): their own pool, so
   * slow readers can never take intake's connections (docs/scale.md).
   */
  DB_STREAM_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /** Longest a request waits for a free connection before it is answered 503 (never a hang). */
  DB_POOL_WAIT_MS: z.coerce.number().int().min(10).default(5_000),
  /** Longest one statement of the main pool may run (PostgreSQL `statement_timeout`); streams have none. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /**
   * Longest a send held back by a buyer contract (a cap window, delivery hours, the breaker)
   * sleeps before it looks again; it also looks when its hold ends (docs/contracts.md).
   */
  CONTRACT_RECHECK_MS: z.coerce.number().int().min(50).default(300_000),
  /** Longest a send parked behind a full `concurrency`, a pause or a breaker trial sleeps unless woken. */
  CONTRACT_PARK_MS: z.coerce.number().int().min(50).default(30_000),
  /**
   * A send behind a full `concurrency` whose turn is expected within this long (from its place in
   * line and the buyer's recent send times) waits in the worker's memory; a longer wait parks its job.
   */
  CONTRACT_WAIT_MS: z.coerce.number().int().min(0).default(1_000),
  /**
   * How long lead data is kept when a campaign file names no `retention` of its own, written as
   * campaign files write durations (`90d`); unset keeps it forever (docs/campaigns.md › Retention).
   */
  RETENTION: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const problem = v === undefined ? undefined : durationProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * Inbound pings allowed per source (intake key and client address) per campaign in each clock
   * minute; more are answered 429 with `Retry-After` (docs/api.md › Pings).
   */
  PING_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** How often the retention job looks for leads past their campaign's retention. */
  RETENTION_EVERY_MS: z.coerce.number().int().min(1_000).default(600_000),
  /** `production` turns on the production defaults (BLOCK_PRIVATE_NETWORKS, docs/security.md). */
  NODE_ENV: z.string().optional(),
  /**
   * Whether buyer URLs and redirect targets that resolve to loopback, private, link-local, CGNAT
   * or metadata addresses are refused; unset, on when NODE_ENV=production (`blocksPrivateNetworks`).
   */
  BLOCK_PRIVATE_NETWORKS: z.enum(['on', 'off']).optional(),
  /** Comma-separated CIDRs, addresses or host names that BLOCK_PRIVATE_NETWORKS lets through. */
  PRIVATE_NETWORK_ALLOW: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      for (const problem of privateNetworkAllowProblems(v)) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** Whether `npm start` also serves the demo buyer at /demo-buyer. */
  DEMO_BUYER: z.enum(['on', 'off']).default('on'),
  GIT_COMMIT: z.string().optional(),
});

/** `admins` are the entries of `ADMIN_TOKENS`; `adminTokens` their tokens alone, in the same order. */
export type AppConfig = z.infer<typeof schema> & { admins: AdminAccount[]; adminTokens: string[]; generatedAdminToken?: string };

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    heading = 'Invalid configuration',
  ) {
    super(`${heading}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once, listing every bad variable at once; in production mode, then every
 * insecure setting at once. Outside it, with no ADMIN_TOKENS, a token is generated for this run.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, generateToken: () => string): AppConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const admins = parseAdminTokens(parsed.data.ADMIN_TOKENS).accounts;
  const insecure = inProduction(parsed.data) ? insecureSettings(parsed.data, admins.length) : [];
  if (insecure.length) throw new ConfigError(insecure, 'leadrelay did not start: NODE_ENV=production refuses these settings');
  if (admins.length) return { ...parsed.data, admins, adminTokens: admins.map((a) => a.token) };
  const generated = generateToken();
  return { ...parsed.data, admins: [{ name: GENERATED_TOKEN_NAME, token: generated, role: 'operator', named: false }], adminTokens: [generated], generatedAdminToken: generated };
}

/** BLOCK_PRIVATE_NETWORKS as it applies: as set, or on exactly when NODE_ENV=production (docs/security.md › Private networks). */
export function blocksPrivateNetworks(config: Pick<AppConfig, 'NODE_ENV' | 'BLOCK_PRIVATE_NETWORKS'>): boolean {
  return (config.BLOCK_PRIVATE_NETWORKS ?? (inProduction(config) ? 'on' : 'off')) === 'on';
}
