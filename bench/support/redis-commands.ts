import Redis from 'ioredis';

export interface RedisCommandCount {
  /** Commands sent by clients: the round trips the application made. */
  calls: number;
  /** Commands run inside Lua scripts (BullMQ's work is mostly there). */
  inScripts: number;
  /** Both, by command name, most first. */
  byCommand: Record<string, number>;
}

export interface RedisMark {
  /** Redis server time, in ms since the epoch. */
  at: number;
  label: string;
}

/**
 * Counts the Redis commands that touch one key prefix (a run's QUEUE_PREFIX), through a MONITOR
 * connection: the Redis server is shared, so `INFO commandstats` would count other work too. Each
 * command is kept as (time, client or script, name), so any window can be counted afterwards;
 * `mark` tags the commands that say something happened (e.g. a job starting and finishing).
 * MONITOR slows Redis down: time nothing while it runs.
 */
export class RedisCommandLog {
  private times = new Float64Array(1 << 16);
  private kinds = new Uint16Array(1 << 16);
  private length = 0;
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  readonly marks: RedisMark[] = [];

  private constructor(
    private readonly redis: Redis,
    private readonly monitor: Redis,
  ) {}

  static async start(prefix: string, mark?: (args: string[]) => string | undefined): Promise<RedisCommandLog> {
    const redis = new Redis({ host: '127.0.0.1', port: 6379 });
    const monitor = await redis.monitor();
    const log = new RedisCommandLog(redis, monitor);
    monitor.on('monitor', (time: string, args: string[], source: string) => {
      if (!args.some((a) => typeof a === 'string' && a.startsWith(prefix))) return;
      const at = Number(time) * 1000;
      log.record(at, source === 'lua', args[0].toLowerCase());
      const label = mark?.(args);
      if (label) log.marks.push({ at, label });
    });
    return log;
  }

  private record(at: number, inScript: boolean, name: string): void {
    if (this.length === this.times.length) {
      const times = new Float64Array(this.length * 2);
      const kinds = new Uint16Array(this.length * 2);
      times.set(this.times);
      kinds.set(this.kinds);
      this.times = times;
      this.kinds = kinds;
    }
    let index = this.nameIndex.get(name);
    if (index === undefined) {
      index = this.names.push(name) - 1;
      this.nameIndex.set(name, index);
    }
    this.times[this.length] = at;
    // Low bit: inside a script; the rest: the command's name.
    this.kinds[this.length++] = (index << 1) | (inScript ? 1 : 0);
  }

  /** Commands with `from <= time < to` (ms since the epoch, Redis server time = this machine's clock). */
  count(from: number, to: number): RedisCommandCount {
    let calls = 0;
    let inScripts = 0;
    const byName = new Map<string, number>();
    for (let i = 0; i < this.length; i++) {
      const at = this.times[i];
      if (at < from || at >= to) continue;
      const kind = this.kinds[i];
      if (kind & 1) inScripts++;
      else calls++;
      const name = this.names[kind >> 1];
      byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    return { calls, inScripts, byCommand: Object.fromEntries([...byName].sort((a, b) => b[1] - a[1])) };
  }

  async stop(): Promise<void> {
    this.monitor.disconnect();
    this.redis.disconnect();
  }
}
