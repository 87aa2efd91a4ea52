// HTTP routes: GET /notifications?orderId= lists what was sent for an order, to its customer (or an admin).
import { callerOf, canSee, type RouteGuards } from '@saga/auth';
import type { SqlExecutor } from '@saga/db';
import { fromZodError } from '@saga/platform';
import type { Express } from 'express';
import { notificationKinds } from '@saga/contracts';
import { z } from 'zod';
import { listNotifications } from '../app/list-notifications.use-case';
import type { Notification, NotificationStatus } from '../domain/notification';

export const notificationsQuery = z.object({ orderId: z.string({ error: 'orderId is required' }).min(1, 'orderId is required').max(100) });

const notificationStatuses = ['PENDING', 'SENDING', 'SENT', 'FAILED'] as const satisfies readonly NotificationStatus[];

/** One notification as toJson below shapes it: the OpenAPI document's source, checked against real responses in the tests. */
export const notificationViewSchema = z.object({
  notificationId: z.string(),
  orderId: z.string(),
  sagaId: z.string(),
  customerId: z.string(),
  kind: z.enum(notificationKinds),
  channel: z.string(),
  subject: z.string(),
  body: z.string(),
  reason: z.string().nullable(),
  status: z.enum(notificationStatuses),
  attempts: z.number().int(),
  lastError: z.string().nullable().optional().describe('Only for an admin (null when no delivery failed)'),
  createdAt: z.iso.datetime({ offset: true }),
  sentAt: z.iso.datetime({ offset: true }).nullable(),
});

/** GET /notifications?orderId=. */
export const notificationListSchema = z.object({ items: z.array(notificationViewSchema) });

/** The JSON shape of one notification; dates as ISO strings. lastError (a channel's error text) is for operators only. */
const toJson = (n: Notification, internals: boolean) => ({
  ...n,
  lastError: internals ? n.lastError : undefined,
  createdAt: n.createdAt.toISOString(),
  sentAt: n.sentAt?.toISOString() ?? null,
});

export function notificationRoutes(db: SqlExecutor, guards: RouteGuards): (app: Express) => void {
  return (app) => {
    app.get('/notifications', guards.signedIn, async (req, res) => {
      const query = notificationsQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      const caller = callerOf(res);
      // Another customer's notifications are filtered out: the empty list is the same as for an unknown order.
      const items = (await listNotifications(db, query.data.orderId)).filter((n) => canSee(caller, n.customerId));
      const internals = caller.roles.includes('admin');
      res.json({ items: items.map((n) => toJson(n, internals)) });
    });
  };
}
