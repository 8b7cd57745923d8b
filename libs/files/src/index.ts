/**
 * The project's one CSV/TSV writer (docs/api.md, "File formats"): in JS for rows in hand, and as SQL for
 * PostgreSQL to write big files itself (same bytes, see file-copy.query.ts for why it is built so).
 */
export {
  formatValue,
  formatRow,
  formatHeader,
  needsFormulaGuard,
  LINE_END,
  PLAIN_NUMBER_PATTERN,
  PHONE_NUMBER_PATTERN,
  type FileValue,
  type RowFormat,
  type FileSpec,
} from './file-row.formatter';
export { FileWriter, createFileStream, formatFile, FILE_CHUNK_SIZE, type FileRowInput } from './file.writer';
export { buildFileCopySql, fileTimestampSql } from './file-copy.query';
export { streamCopyFile, CsvLineEnds } from './file-copy.stream';
export {
  batchFileOptions,
  fileSpecOf,
  oneLeadFile,
  countBytes,
  FILE_CONTENT_TYPE,
  FILE_NAME_VARIABLES,
  type StoredFileOptions,
  type PluginFileOptions,
} from './batch-file.options';
