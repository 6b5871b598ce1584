import { z } from 'zod';

/** The largest value of a PostgreSQL bigint, which message seqs are stored in. */
const MAX_SEQ = 9223372036854775807n;

/** A message sequence number as a decimal string (bigint in the database, so within its range). */
export const messageSeq = z
  .string()
  .regex(/^\d{1,19}$/, 'a message seq')
  .refine((value) => BigInt(value) <= MAX_SEQ, 'a message seq (at most 9223372036854775807)');
