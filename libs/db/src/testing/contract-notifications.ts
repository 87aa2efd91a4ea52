// Contract: LISTEN/NOTIFY delivers payloads, and a NOTIFY in a transaction only once it commits.

import { sleep, waitFor, type ContractContext } from './contract-context';

export function describeNotificationContract(ctx: ContractContext): void {
  describe('listen / notify', () => {
    it('delivers a payload to every listener until it unlistens', async () => {
      const channel = ctx.name('wake');
      const first: string[] = [];
      const second: string[] = [];
      const stopFirst = await ctx.client.listen(channel, (payload) => first.push(payload));
      const stopSecond = await ctx.client.listen(channel, (payload) => second.push(payload));
      await ctx.client.notify(channel, '{"outboxId":1}');
      await waitFor(() => first.length === 1 && second.length === 1);
      expect(first).toEqual(['{"outboxId":1}']);

      await stopFirst();
      await ctx.client.notify(channel, 'two');
      await waitFor(() => second.length === 2);
      await stopSecond();
      await ctx.client.notify(channel, 'three');
      await sleep(100);
      expect(first).toEqual(['{"outboxId":1}']);
      expect(second).toEqual(['{"outboxId":1}', 'two']);
    });

    it('delivers a NOTIFY sent in a transaction on commit, never on rollback', async () => {
      const channel = ctx.name('outbox');
      const got: string[] = [];
      const stop = await ctx.client.listen(channel, (payload) => got.push(payload));
      await ctx.client
        .transaction(async (tx) => {
          await tx.notify(channel, 'rolled-back');
          throw new Error('abort');
        })
        .catch(() => undefined);
      await ctx.client.transaction(async (tx) => {
        await tx.notify(channel, 'committed');
        await sleep(50);
        expect(got).toEqual([]); // not yet: the transaction is still open
      });
      await waitFor(() => got.length > 0);
      await sleep(50);
      expect(got).toEqual(['committed']);
      await stop();
    });

    it('rejects channel names PostgreSQL would case-fold', async () => {
      await expect(ctx.client.listen('OrderEvents', () => undefined)).rejects.toThrow(/Invalid channel name/);
      await expect(ctx.client.notify('OrderEvents', 'x')).rejects.toThrow(/Invalid channel name/);
    });
  });
}
