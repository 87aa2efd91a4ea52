// Sends this process made but could not record yet (the database was away): the retry records them without resending.

/** Bounded: a message dead-lettered after its send leaves an entry behind; the oldest go first. */
const MAX_ENTRIES = 10_000;

export class SentNotRecorded {
  private readonly entries = new Map<string, Date>();

  sentAt(notificationId: string, messageId: string): Date | undefined {
    return this.entries.get(`${notificationId}:${messageId}`);
  }

  remember(notificationId: string, messageId: string, sentAt: Date): void {
    const oldest = this.entries.keys().next();
    if (this.entries.size >= MAX_ENTRIES && !oldest.done) this.entries.delete(oldest.value);
    this.entries.set(`${notificationId}:${messageId}`, sentAt);
  }

  forget(notificationId: string, messageId: string): void {
    this.entries.delete(`${notificationId}:${messageId}`);
  }
}
