// Validates the few names that cannot be $n parameters (LISTEN channels, the migrations table).

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Only lower-case names are accepted: PostgreSQL folds unquoted names to lower case while
 * `pg_notify('Name')` keeps the case, so a mixed-case channel would silently never be delivered.
 */
export function assertChannelName(channel: string): string {
  if (!IDENTIFIER.test(channel)) {
    throw new Error(`Invalid channel name ${JSON.stringify(channel)}: use lower-case letters, digits and _`);
  }
  return channel;
}

/** Quotes `name` or `schema.name` after checking each part, for use as a table name in SQL text. */
export function quoteTableName(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new Error(`Invalid table name ${JSON.stringify(name)}: use [schema.]name in lower-case letters, digits and _`);
  }
  return parts.map((part) => `"${part}"`).join('.');
}
