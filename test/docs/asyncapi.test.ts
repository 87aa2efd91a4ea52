// docs/asyncapi.json: generated from libs/contracts (never edited by hand), valid AsyncAPI 3, and complete.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import * as contracts from '@saga/contracts';
import { buildAsyncApiDocument, consumerGroups, deadLetterTopicFor, exchanges, queueBindings, queues, redriveTopicFor, topics } from '@saga/contracts';
import { asyncApiFile, renderAsyncApi } from '../../scripts/render-asyncapi';

const doc = buildAsyncApiDocument() as {
  channels: Record<string, { address: string; messages: Record<string, unknown>; bindings: Record<string, Record<string, unknown>> }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
  components: { messages: Record<string, { payload: { properties: Record<string, unknown> }; bindings?: Record<string, unknown> }> };
};
const addresses = Object.values(doc.channels).map((c) => c.address);

describe('docs/asyncapi.json', () => {
  it('is what `npm run asyncapi:render` makes of libs/contracts (change the contracts, then render)', () => {
    expect(readFileSync(join(__dirname, '..', '..', asyncApiFile), 'utf8')).toBe(renderAsyncApi());
  });

  it('is a valid AsyncAPI document for the official parser', async () => {
    const diagnostics = await new Parser().validate(renderAsyncApi());
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
  });

  it('describes every topic with its partitions, every dead-letter and redrive topic, every exchange and queue', () => {
    for (const topic of Object.values(topics)) {
      const channel = Object.values(doc.channels).find((c) => c.address === topic);
      expect(channel?.bindings.kafka).toMatchObject({ topic, partitions: contracts.EVENT_TOPIC_PARTITIONS });
    }
    for (const group of Object.values(consumerGroups)) expect(addresses).toEqual(expect.arrayContaining([deadLetterTopicFor(group), redriveTopicFor(group)]));
    for (const queue of Object.values(queues)) expect(addresses).toContain(queue);
    for (const { bindings } of Object.values(queueBindings)) expect(addresses).toEqual(expect.arrayContaining(bindings));
    expect(Object.values(doc.channels).map((c) => (c.bindings.amqp?.exchange as { name?: string } | undefined)?.name)).toEqual(expect.arrayContaining(Object.values(exchanges)));
  });

  it('carries every message contract of libs/contracts, its payload schema inside the envelope', () => {
    const all = Object.values(contracts as Record<string, unknown>).filter((value): value is contracts.MessageContract<string, unknown> =>
      typeof value === 'object' && value !== null && 'type' in value && 'schema' in value && 'parse' in value);
    expect(all.length).toBeGreaterThan(10);
    for (const contract of all) {
      const message = doc.components.messages[contract.type];
      expect(message?.payload.properties).toMatchObject({ type: { const: contract.type }, version: { const: contract.version }, payload: expect.objectContaining({ type: 'object' }) });
      expect(Object.keys(message!.payload.properties)).toEqual(expect.arrayContaining(Object.keys(contracts.messageEnvelopeSchema.shape)));
    }
  });

  it('has each consumer group receive its topics, and each work queue a receiving service', () => {
    const received = Object.values(doc.operations).filter((op) => op.action === 'receive').map((op) => doc.channels[op.channel.$ref.split('/').pop()!]!.address);
    expect(received).toEqual(expect.arrayContaining([...Object.values(topics), ...Object.values(queueBindings).map((b) => b.queue), queues.deadLetter]));
  });
});
