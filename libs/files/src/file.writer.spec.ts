import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse/sync';
import { FileWriter, createFileStream, formatFile, FILE_CHUNK_SIZE } from './file.writer';
import type { FileSpec } from './file-row.formatter';

const spec: FileSpec = { format: 'csv', quote: 'needed', header: true, formulaGuard: true, headers: ['name', 'note', 'phone'] };

async function collect(stream: NodeJS.ReadableStream): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) parts.push(chunk);
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

/** Buffer.equals first: jest's toEqual walks a big Buffer byte by byte, slowly. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  if (!actual.equals(expected)) expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
  expect(actual.equals(expected)).toBe(true);
}

function manyRows(count: number): unknown[][] {
  return Array.from({ length: count }, (_, i) => [`name ${i}`, i % 3 === 0 ? `has, comma "${i}"` : null, i % 5 === 0 ? '=cmd()' : `+1512555${String(i % 10000).padStart(4, '0')}`]);
}

describe('createFileStream', () => {
  it('gives the same bytes as formatFile, from an array or an async generator', async () => {
    const rows = manyRows(50);
    const expected = formatFile(rows, spec);
    expectSameBytes((await collect(createFileStream(rows, spec))).bytes, expected);
    async function* fetched() {
      for (let i = 0; i < rows.length; i += 7) {
        // As a cursor would: one batch per fetch.
        await new Promise((r) => setImmediate(r));
        yield* rows.slice(i, i + 7);
      }
    }
    expectSameBytes((await collect(createFileStream(fetched(), spec))).bytes, expected);
  });

  it('writes in chunks of about FILE_CHUNK_SIZE, not one per row', async () => {
    const rows = manyRows(20_000);
    const { bytes, chunks } = await collect(createFileStream(rows, spec));
    expectSameBytes(bytes, formatFile(rows, spec));
    expect(chunks).toBeGreaterThan(1);
    expect(chunks).toBeLessThanOrEqual(Math.ceil(bytes.length / FILE_CHUNK_SIZE) + 1);
  });

  it('writes the header row alone when there are no rows, and nothing without a header', async () => {
    expect((await collect(createFileStream([], spec))).bytes.toString()).toBe('name,note,phone\r\n');
    expect((await collect(createFileStream([], { ...spec, header: false }))).bytes.length).toBe(0);
  });

  it('fails the stream on a row with the wrong number of values', async () => {
    await expect(collect(createFileStream([['a', 'b']], spec))).rejects.toThrow('a row has 2 values but the file has 3 columns');
  });

  it('refuses a file without columns', () => {
    expect(() => createFileStream([], { ...spec, headers: [] })).toThrow('a file needs at least one column');
  });

  it('reads back with an independent CSV parser', async () => {
    const rows = [
      ['Zoë, "the" first', 'two\r\nlines', '+15125550100'],
      ['@SUM(A1)', '', '-12.5'],
    ];
    const { bytes } = await collect(createFileStream(rows, spec));
    expect(parse(bytes, { record_delimiter: '\r\n' })).toEqual([spec.headers, rows[0], ["'@SUM(A1)", '', '-12.5']]);
  });
});

describe('FileWriter', () => {
  it('gives the same bytes as formatFile when rows are piped in one by one', async () => {
    const rows = manyRows(20_000);
    const out: Buffer[] = [];
    await pipeline(Readable.from(rows), new FileWriter({ ...spec, format: 'tsv', quote: 'all' }), async function* (source) {
      for await (const chunk of source) out.push(chunk);
    });
    expectSameBytes(Buffer.concat(out), formatFile(rows, { ...spec, format: 'tsv', quote: 'all' }));
    expect(out.length).toBeGreaterThan(1);
  });

  it('writes the header row even when no row comes', async () => {
    const writer = new FileWriter(spec);
    writer.end();
    expect((await collect(writer)).bytes.toString()).toBe('name,note,phone\r\n');
  });

  it('errors on a row with the wrong number of values', async () => {
    await expect(pipeline(Readable.from([['a']]), new FileWriter(spec), async function* (s) { for await (const _ of s); })).rejects.toThrow(
      'a row has 1 values but the file has 3 columns',
    );
  });
});
