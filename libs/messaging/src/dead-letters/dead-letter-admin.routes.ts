// /admin/dead-letters: an operator lists what a service's consumers dead-lettered (both brokers) and re-drives one.
import { AppError, BadRequestError, ConflictError, fromZodError, NotFoundError, ServiceUnavailableError } from '@saga/platform';
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { UnroutableMessageError } from '../ports/command-bus.port';
import type { DeadLetterAdmin } from './dead-letter-admin';

export const deadLetterListQuery = z.object({ state: z.enum(['dead-lettered', 'redriven', 'all']).default('all') });

const brokers = ['rabbitmq', 'kafka'] as const;

/** One dead letter as GET /admin/dead-letters lists it (DeadLetterView); the gateway's merged list is made of these. */
export const deadLetterViewSchema = z.object({
  id: z.string().describe('`<service>:<rabbitmq|kafka>:<letter id>`'),
  service: z.string(),
  broker: z.enum(brokers),
  source: z.string().describe('The queue (RabbitMQ) or topic (Kafka) it was consumed from'),
  messageId: z.string().optional(),
  type: z.string().optional(),
  orderId: z.string().optional(),
  reason: z.string(),
  attempts: z.number().int().optional(),
  // As the broker's headers carry them: ISO from this platform, but not checked when read back.
  deadLetteredAt: z.string(),
  state: z.enum(['dead-lettered', 'redriven']),
  redrivenAt: z.string().optional(),
  raw: z.string().describe('The bytes as they arrived (cut at 2,000 characters)'),
});

export const deadLetterCountsSchema = z.object({ 'dead-lettered': z.number().int(), redriven: z.number().int() });

/** GET /admin/dead-letters of one service; `unavailable` names a broker that could not be read. */
export const deadLetterListingSchema = z.object({
  items: z.array(deadLetterViewSchema),
  counts: deadLetterCountsSchema,
  unavailable: z.partialRecord(z.enum(brokers), z.string()).optional(),
});

/** POST /admin/dead-letters/{id}/redrive: 202 when sent back now, 200 when it had been re-driven before (nothing sent). */
export const deadLetterRedrivenSchema = z.object({ id: z.string(), outcome: z.literal('redriven') });
export const deadLetterAlreadyRedrivenSchema = z.object({ id: z.string(), outcome: z.literal('already-redriven') });

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
