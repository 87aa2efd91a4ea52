// /admin/outbox: an operator lists what a service has not published (pending or parked) and re-drives a parked row.
import { fromZodError, NotFoundError } from '@saga/platform';
import type { SqlExecutor } from '@saga/db';
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { listOutbox, redriveOutboxRow } from './outbox-admin';

export const outboxListQuery = z.object({ state: z.enum(['pending', 'parked']).default('parked'), limit: z.coerce.number().int().min(1).max(500).default(100) });
const rowId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an outbox row id');

export function outboxAdminRoutes(db: SqlExecutor, adminOnly: RequestHandler[]): (app: Express) => void {
  return (app) => {
    app.get('/admin/outbox', ...adminOnly, async (req, res) => {
      const query = outboxListQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      res.json(await listOutbox(db, query.data.state, query.data.limit));
    });

    app.post('/admin/outbox/:id/redrive', ...adminOnly, async (req, res) => {
      const id = rowId.safeParse(req.params.id);
      if (!id.success || !(await redriveOutboxRow(db, id.data))) throw new NotFoundError(`No parked outbox row ${String(req.params.id)}`, { code: 'OUTBOX_ROW_NOT_FOUND' });
      res.status(202).json({ id: id.data, state: 'pending' });
    });
  };
}
