import { Injectable } from '@nestjs/common';
import { Database } from '../common/database';

/** Failed sign-ins allowed per client address, and per token name, in any `WINDOW_MS`. */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60_000;

/**
 * The console's sign-in limit (docs/api.md › Console › Sessions): after `MAX_FAILURES` failed
 * sign-ins within `WINDOW_MS` from one address, or naming one token, further sign-ins from it (or
 * for it) are refused, even with the right token, until the oldest of those failures is
 * `WINDOW_MS` old. Failures are rows in PostgreSQL, so every instance counts the same ones.
 */
@Injectable()
export class LoginLimiter {
  constructor(private readonly db: Database) {}

  /** Seconds until a sign-in for these keys is allowed again; 0 when it is allowed now. */
  async waitSeconds(keys: string[]): Promise<number> {
    const { rows } = await this.db.query<{ wait: number | null }>(
      `select max(ceil(extract(epoch from failed_at + $2 * interval '1 millisecond' - now())))::int as wait from (
         select failed_at, row_number() over (partition by key order by failed_at desc) as n
           from console_login_failure where key = any($1) and failed_at > now() - $2 * interval '1 millisecond') recent
        where n = $3`,
      [keys, WINDOW_MS, MAX_FAILURES],
    );
    return Math.max(rows[0]?.wait ?? 0, 0);
  }

  /** Counts one failed sign-in against each key, and forgets their failures that no longer count. */
  async fail(keys: string[]): Promise<void> {
    await this.db.query(`insert into console_login_failure (key) select unnest($1::text[])`, [keys]);
    await this.db.query(`delete from console_login_failure where key = any($1) and failed_at <= now() - $2 * interval '1 millisecond'`, [keys, WINDOW_MS]);
  }
}

/** The keys a sign-in counts against: its client address, and the token name it gave, if any. */
export function loginKeys(ip: string, name: string): string[] {
  return name ? [`ip:${ip}`, `name:${name}`] : [`ip:${ip}`];
}
