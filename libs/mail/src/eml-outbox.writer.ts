import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DateTime } from 'luxon';

/**
 * Writes composed messages as `.eml` files: what email becomes when no SMTP server is configured,
 * so a new user sees it work. A file appears whole or not at all (temp file, then rename), so
 * whoever watches the folder never opens half a message.
 */
export class EmlOutboxWriter {
  constructor(
    readonly dir: string,
    private readonly now: () => Date,
  ) {}

  /** Streams `source` into `<iso-time>-<messageId>.eml` and returns the file's path. */
  async write(source: NodeJS.ReadableStream, messageId: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = `${fileTime(this.now())}-${fileSafe(messageId)}.eml`;
    const target = path.join(this.dir, name);
    // Same folder, so the rename stays on one file system and is atomic. The leading dot keeps
    // the half-written file out of `*.eml` globs.
    const temp = path.join(this.dir, `.${name}.${process.pid}.tmp`);
    try {
      await pipeline(source, createWriteStream(temp, { flags: 'wx' }));
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return target;
  }
}

/** ISO-8601 with `-` for `:`, which Windows and some zip and sync tools refuse in file names. */
function fileTime(date: Date): string {
  return DateTime.fromJSDate(date, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH-mm-ss.SSS'Z'");
}

/** `<1c2d…@host>` → `1c2d…@host`; anything unusual becomes `_` so the id cannot leave the folder. */
function fileSafe(messageId: string): string {
  const bare = messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@+-]/g, '_');
  return bare.replace(/^\.+/, '_').slice(0, 200) || 'message';
}
