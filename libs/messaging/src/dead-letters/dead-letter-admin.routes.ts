// /admin/dead-letters: an operator lists what a service's consumers dead-lettered (both brokers) and re-drives one.
import { AppError, BadRequestError, ConflictError, fromZodError, NotFoundError, ServiceUnavailableError } from '@saga/platform';
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { UnroutableMessageError } from '../ports/command-bus.port';
import type { DeadLetterAdmin } from './dead-letter-admin';

export const deadLetterListQuery = z.object({ state: z.enum(['dead-lettered', 'redriven', 'all']).default('all') });

/** Broker trouble is a 503 with the reason; the client's input never causes a 5xx. */
function brokerError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof UnroutableMessageError) {
    return new ConflictError(`The queue it came from no longer exists (${error.routingKey || 'unknown'}): nothing would receive it`, { code: 'REDRIVE_TARGET_MISSING' });
  }
  return new ServiceUnavailableError(`Dead letters could not be reached: ${error instanceof Error ? error.message : String(error)}`, { code: 'BROKER_UNAVAILABLE' });
}

export function deadLetterAdminRoutes(admin: DeadLetterAdmin, adminOnly: RequestHandler[]): (app: Express) => void {
  return (app) => {
    app.get('/admin/dead-letters', ...adminOnly, async (req, res) => {
      const query = deadLetterListQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      const listing = await admin.list().catch((error: unknown) => { throw brokerError(error); });
      const { state } = query.data;
      res.json(state === 'all' ? listing : { ...listing, items: listing.items.filter((item) => item.state === state) });
    });

    app.post('/admin/dead-letters/:id/redrive', ...adminOnly, async (req, res) => {
      const id = String(req.params.id);
      const outcome = await admin.redrive(id).catch((error: unknown) => { throw brokerError(error); });
      if (outcome === 'invalid-id') throw new BadRequestError('Expected a dead-letter id <service>:<rabbitmq|kafka>:<letter id>, as GET /admin/dead-letters lists them', { code: 'INVALID_DEAD_LETTER_ID' });
      if (outcome === 'not-found') throw new NotFoundError(`No dead letter ${id} here`, { code: 'DEAD_LETTER_NOT_FOUND' });
      // 202: back on its way to the consumer; 200: it was re-driven before, and nothing was sent now.
      res.status(outcome === 'redriven' ? 202 : 200).json({ id, outcome });
    });
  };
}
