// Use case: the notifications recorded for one order, newest first (what support looks at when a customer asks).
import type { SqlExecutor } from '@saga/db';
import type { Notification } from '../domain/notification';
import { findByOrder } from '../store/notification.repository';

export function listNotifications(db: SqlExecutor, orderId: string): Promise<Notification[]> {
  return findByOrder(db, orderId);
}
