// The choreography reaction leaves payment's reconciliation notes alone: they are history (the timeline), not a settlement.
import { PaymentReconciled } from '@saga/contracts';
import type { SqlExecutor, SqlResult } from '@saga/db';
import { reactToParticipantEvent } from './react-to-participant-event';

describe('reactToParticipantEvent', () => {
  it('ignores PaymentReconciled: no SQL, nothing to publish', async () => {
    const statements: string[] = [];
    const tx: SqlExecutor = {
      query: async <Row>(sql: string): Promise<SqlResult<Row>> => {
        statements.push(sql);
        return { rows: [], rowCount: 0 };
      },
      exec: async (script: string) => void statements.push(script),
      notify: async () => undefined,
    };
    const envelope = PaymentReconciled.create({ orderId: 'o-1', sagaId: 'o-1', action: 'REFUNDED_CAPTURE', amountCents: 900, detail: 'refunded' }, { correlationId: 'o-1' });
    await expect(reactToParticipantEvent(tx, envelope, new Date())).resolves.toEqual({ messages: [] });
    expect(statements).toEqual([]);
  });
});
