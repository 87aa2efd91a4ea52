// HTTP routes: GET /notifications?orderId= lists what was sent for an order.
import type { SqlExecutor } from '@saga/db';
import { fromZodError } from '@saga/platform';
import type { Express } from 'express';
import { z } from 'zod';
import { listNotifications } from '../app/list-notifications.use-case';
import type { Notification } from '../domain/notification';

const listQuery = z.object({ orderId: z.string({ error: 'orderId is required' }).trim().min(1, 'orderId is required').max(100) });

/** The JSON shape of one notification; dates as ISO strings. */
const toJson = (n: Notification) => ({
  ...n,
  createdAt: n.createdAt.toISOString(),
  sentAt: n.sentAt?.toISOString() ?? null,
});

export function notificationRoutes(db: SqlExecutor): (app: Express) => void {
  return (app) => {
    app.get('/notifications', async (req, res) => {
      const query = listQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      const items = await listNotifications(db, query.data.orderId);
      res.json({ items: items.map(toJson) });
    });
  };
}
