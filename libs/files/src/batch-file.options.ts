import { DateTime } from 'luxon';
import type { BatchFile, FileColumn, FileFormatOptions, LeadRecord } from '@leadrelay/sdk/plugin';
import type { FileSpec } from './file-row.formatter';
import { createFileStream } from './file.writer';

/** What a batch keeps so its file can be rebuilt byte for byte, whatever the campaign file says later. */
export interface StoredFileOptions extends FileFormatOptions {
  formulaGuard: boolean;
  columns: FileColumn[];
  /** The final file name, its pattern's variables filled in. */
  fileName: string;
}

/** A plugin's `fileOptions()`: the file its batches produce, with the name still a pattern. */
export type PluginFileOptions = FileFormatOptions & { columns: FileColumn[]; fileName: string; formulaGuard: boolean };

export const FILE_CONTENT_TYPE = { csv: 'text/csv; charset=utf-8', tsv: 'text/tab-separated-values; charset=utf-8' } as const;

/** The variables every file name pattern may use (`{{campaign}}-{{date}}.{{ext}}` …). */
export const FILE_NAME_VARIABLES = ['campaign', 'delivery', 'date', 'time', 'batch', 'ext'] as const;

function renderFileName(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key: string) => values[key] ?? '').replace(/[\\/\r\n"]/g, '_');
}

/**
 * A delivery's file options for one batch, a person's choice of format/quote/header on top, the
 * name rendered (date and time in UTC) for the campaign, delivery and batch.
 */
export function batchFileOptions(
  base: PluginFileOptions,
  names: { campaign: string; delivery: string; batch: string },
  at: Date,
  choice: Partial<FileFormatOptions> = {},
): StoredFileOptions {
  const format = choice.format ?? base.format;
  return {
    format,
    quote: choice.quote ?? base.quote,
    header: choice.header ?? base.header,
    formulaGuard: base.formulaGuard,
    columns: base.columns,
    fileName: renderFileName(base.fileName, {
      ...names,
      date: DateTime.fromJSDate(at, { zone: 'utc' }).toFormat('yyyy-MM-dd'),
      time: DateTime.fromJSDate(at, { zone: 'utc' }).toFormat('HHmmss'),
      ext: format,
    }),
  };
}

/** The writer's spec for stored options. */
export function fileSpecOf(options: StoredFileOptions): FileSpec {
  return { format: options.format, quote: options.quote, header: options.header, formulaGuard: options.formulaGuard, headers: options.columns.map((c) => c.header) };
}

/** The JS side of a column's value (the SQL side is in BatchFiles): for files built from leads in memory. */
function columnValue(source: string, lead: LeadRecord): unknown {
  if (source === 'lead_id') return lead.id;
  if (source === 'received_at') return lead.receivedAt.toISOString();
  return lead.data[source];
}

/** One lead as a one-row file (a real-time email's attachment, a preview), written in memory. */
export function oneLeadFile(options: StoredFileOptions, lead: LeadRecord): BatchFile {
  const spec = fileSpecOf(options);
  const open = () => createFileStream([options.columns.map((c) => columnValue(c.source, lead))], spec);
  return { fileName: options.fileName, contentType: FILE_CONTENT_TYPE[options.format], open, byteLength: () => countBytes(open()) };
}

/** A stream's length in bytes (it is read once). */
export async function countBytes(stream: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) n += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  return n;
}
