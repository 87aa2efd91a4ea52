// Type parsing for PGlite, aligned on what pg returns, so repositories behave the same on both drivers.

// OIDs from pg_type.
const INT8 = 20;
const DATE = 1082;
const BYTEA = 17;

/**
 * PGlite would give int8 as a number (a bigint past 2^53) and date as a UTC-midnight Date; pg gives
 * strings, and so do we: int8 as text, date as 'YYYY-MM-DD'. bytea becomes a Buffer, as on pg.
 */
export const PGLITE_PARSERS = {
  [INT8]: (text: string) => text,
  [DATE]: (text: string) => text,
  [BYTEA]: (text: string) => Buffer.from(text.slice(2), 'hex'),
};
