import { z } from 'zod';

/** Options of a CSV/TSV file shared by manual-file deliveries and email attachments. */
export const fileFormatSchema = z.enum(['csv', 'tsv']);
export const quoteSchema = z.enum(['needed', 'all']);
