// Decides which migration runs next from the recorded history, refusing a history the list no longer explains.

export interface Migration {
  /** Recorded once applied; never rename or remove an applied migration, add a new one instead. */
  readonly id: string;
  /** One or more statements, run in the migration's transaction: no BEGIN/COMMIT, no CREATE INDEX CONCURRENTLY. */
  readonly sql: string;
}

/** The recorded history and the list disagree, or the list itself is malformed. Fix the list, not the table. */
export class MigrationHistoryError extends Error {
  override readonly name = 'MigrationHistoryError';
}

/** Rejects empty or duplicate ids before anything touches the database. */
export function assertMigrationList(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (id.trim() === '') throw new MigrationHistoryError('A migration has an empty id');
    if (seen.has(id)) throw new MigrationHistoryError(`Migration id "${id}" appears twice in the list`);
    seen.add(id);
  }
}

/**
 * The migration to apply after `recorded` (ids in the order they were applied), or undefined when
 * all are applied. The history must be a prefix of the list: a recorded id missing from the list,
 * or a new migration slipped in before an applied one, means this code and this database disagree.
 */
export function nextMigration(migrations: readonly Migration[], recorded: readonly string[]): Migration | undefined {
  const ids = migrations.map((m) => m.id);
  const missing = recorded.filter((id) => !ids.includes(id));
  if (missing.length > 0) {
    throw new MigrationHistoryError(
      `Applied migration(s) ${missing.map((id) => `"${id}"`).join(', ')} no longer in the list: ` +
        'never remove or rename an applied migration, add one that reverts it',
    );
  }
  recorded.forEach((id, i) => {
    if (ids[i] !== id) {
      throw new MigrationHistoryError(
        `Migration list out of order: position ${i + 1} was applied as "${id}" but the list has "${ids[i]}" there; ` +
          'append new migrations at the end',
      );
    }
  });
  return migrations[recorded.length];
}
