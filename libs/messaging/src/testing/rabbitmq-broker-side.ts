// Makes RabbitMQ itself close a consumer's channel (the connection stays up), as a consumer_timeout or a protocol error would.
//
// The management API lists consumers and their channels but cannot close a channel (DELETE /api/channels is 405), so
// the channel is found there and failed through the broker's own CLI: it is handed an ack for a delivery it never
// made, which the broker answers like any channel error, with channel.close 406 PRECONDITION_FAILED.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const infraScript = resolve(__dirname, '../../../../infra/local/infra.sh');

export interface ConsumerChannel {
  /** The broker's name of the channel, e.g. "127.0.0.1:53636 -> 127.0.0.1:5672 (1)". */
  channel: string;
  queue: string;
  vhost: string;
  /** The consumer's tag: a rebuilt consumer has a new one, even when its new channel reuses the old number and name. */
  consumerTag: string;
}

/** The management API's URL without credentials, and a Basic header with them (fetch refuses credentials in URLs). */
function managementAccess(managementUrl: string, amqpUrl?: string): { origin: string; headers: Record<string, string> } {
  const parsed = new URL(managementUrl);
  const credentials = parsed.username ? parsed : new URL(amqpUrl ?? 'amqp://guest:guest@127.0.0.1');
  const user = `${decodeURIComponent(credentials.username)}:${decodeURIComponent(credentials.password)}`;
  return { origin: parsed.origin, headers: { authorization: `Basic ${Buffer.from(user).toString('base64')}` } };
}

/** Every consumer's channel in a vhost (optionally only those consuming one queue), from the management API. */
export async function consumerChannels(managementUrl: string, vhost: string, options: { queue?: string; amqpUrl?: string } = {}): Promise<ConsumerChannel[]> {
  const { origin, headers } = managementAccess(managementUrl, options.amqpUrl);
  const response = await fetch(`${origin}/api/consumers/${encodeURIComponent(vhost)}`, { headers, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`management API: GET /api/consumers/${vhost} answered ${response.status}`);
  const consumers = (await response.json()) as { consumer_tag: string; queue: { name: string; vhost: string }; channel_details: { name?: string } | [] }[];
  return consumers
    .filter((consumer) => options.queue === undefined || consumer.queue.name === options.queue)
    // Until the management plugin has collected the channel's stats, channel_details is empty ([]): not visible yet.
    .filter((consumer): consumer is (typeof consumers)[number] & { channel_details: { name: string } } => typeof (consumer.channel_details as { name?: unknown }).name === 'string')
    .map((consumer) => ({ channel: consumer.channel_details.name, queue: consumer.queue.name, vhost: consumer.queue.vhost, consumerTag: consumer.consumer_tag }));
}

/** Runs rabbitmqctl against the node infra/local started (its node name, cookie and ports). */
async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [infraScript, 'rabbitmqctl', ...args], { timeout: 30_000 });
  return stdout;
}

/** The broker closes these channels (their connections stay open); returns how many it found and closed. */
export async function closeChannelsFromBroker(channelNames: readonly string[]): Promise<number> {
  const wanted = new Set(channelNames);
  const listing = await rabbitmqctl('list_channels', '--no-table-headers', 'pid', 'name');
  let closed = 0;
  for (const line of listing.split('\n')) {
    const [pid, name] = line.split('\t');
    if (!pid || !name || !wanted.has(name) || !/^<[\w@.-]+>$/.test(pid)) continue;
    // An ack for a delivery tag the channel never used: the broker fails the channel (406), not the connection.
    await rabbitmqctl('eval', `rabbit_channel:do(rabbit_misc:string_to_pid(<<"${pid}">>), {'basic.ack', 987654321, false}).`);
    closed += 1;
  }
  return closed;
}
