import { Readable, Transform, type TransformCallback } from 'node:stream';
import { formatHeader, formatRow, type FileSpec } from './file-row.formatter';

/**
 * Text is gathered into chunks of about this many UTF-16 units before it is encoded and pushed:
 * one Buffer per row would cost more in stream bookkeeping than the formatting itself.
 */
export const FILE_CHUNK_SIZE = 64 * 1024;

export type FileRowInput = readonly unknown[];

function checkSpec(spec: FileSpec): void {
  if (spec.headers.length === 0) throw new Error('a file needs at least one column');
}

function rowOfWrongLength(row: FileRowInput, spec: FileSpec): Error {
  return new Error(`a row has ${row.length} values but the file has ${spec.headers.length} columns`);
}

/**
 * Rows in (one array of values per write, object mode), file bytes out. For rows that arrive one
 * by one (a query stream); the header row, when on, comes out even when no row goes in.
 */
export class FileWriter extends Transform {
  private pending: string;

  constructor(private readonly spec: FileSpec) {
    super({ writableObjectMode: true });
    checkSpec(spec);
    this.pending = spec.header ? formatHeader(spec.headers, spec) : '';
  }

  override _transform(row: FileRowInput, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!Array.isArray(row) || row.length !== this.spec.headers.length) return callback(rowOfWrongLength(row ?? [], this.spec));
    this.pending += formatRow(row, this.spec);
    if (this.pending.length >= FILE_CHUNK_SIZE) {
      this.push(Buffer.from(this.pending, 'utf8'));
      this.pending = '';
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.pending.length > 0) this.push(Buffer.from(this.pending, 'utf8'));
    this.pending = '';
    callback();
  }
}

async function* fileChunks(rows: Iterable<FileRowInput> | AsyncIterable<FileRowInput>, spec: FileSpec): AsyncGenerator<Buffer> {
  let pending = spec.header ? formatHeader(spec.headers, spec) : '';
  for await (const row of rows) {
    if (row.length !== spec.headers.length) throw rowOfWrongLength(row, spec);
    pending += formatRow(row, spec);
    if (pending.length >= FILE_CHUNK_SIZE) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}

/**
 * A file's bytes from rows (an array, a generator, or an async generator that fetches batches
 * from a cursor). Rows are pulled only as fast as the reader reads, so a slow download holds at
 * most a chunk or two in memory. Each call gives a fresh stream.
 */
export function createFileStream(rows: Iterable<FileRowInput> | AsyncIterable<FileRowInput>, spec: FileSpec): Readable {
  checkSpec(spec);
  return Readable.from(fileChunks(rows, spec), { objectMode: false });
}

/** The whole file in memory: for one-lead files and tests, never for batches. */
export function formatFile(rows: Iterable<FileRowInput>, spec: FileSpec): Buffer {
  checkSpec(spec);
  let text = spec.header ? formatHeader(spec.headers, spec) : '';
  for (const row of rows) {
    if (row.length !== spec.headers.length) throw rowOfWrongLength(row, spec);
    text += formatRow(row, spec);
  }
  return Buffer.from(text, 'utf8');
}
