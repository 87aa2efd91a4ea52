// Kafka has no vhost: topic names and consumer groups are fixed in the services, so every run shares them. What a
// run can do is start each of those groups at the log's current end, so it never acts on an earlier run's events
// (whose orders live in databases that are gone), and refuse to start while anyone else is a member of them.
import { consumerGroups, eventTopicSpecs } from '@saga/contracts';
import { Kafka, logLevel, type Admin } from 'kafkajs';

/** Offsets per topic: partition → next offset. */
export type TopicOffsets = Record<string, { partition: number; offset: string }[]>;

/**
 * Every group the services join with a fixed name. The order timeline's group is unique per order database and
 * per rebuild (it always reads from offset 0), so it is not among them: it cannot inherit another run's offsets.
 */
export function serviceGroups(): string[] {
  const { orderTimeline: _timeline, ...perService } = consumerGroups;
  return Object.values(perService);
}

export function kafkaAdminClient(brokers: readonly string[], clientId = 'e2e-harness'): Kafka {
  return new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 100, retries: 5 } });
}

export async function withKafkaAdmin<T>(brokers: readonly string[], work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaAdminClient(brokers).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Members of a group right now (a SIGKILLed member stays until its session times out). */
export async function groupMembers(admin: Admin, groupId: string): Promise<{ state: string; members: string[] }> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0];
  return { state: group?.state ?? 'Dead', members: group?.members.map((member) => `${member.clientId}@${member.clientHost}`) ?? [] };
}

/** The end of each topic now: what a group positioned here will read next. */
export async function endOffsets(admin: Admin, topicNames: readonly string[]): Promise<TopicOffsets> {
  const result: TopicOffsets = {};
  for (const topic of topicNames) {
    result[topic] = (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high })).sort((a, b) => a.partition - b.partition);
  }
  return result;
}

/**
 * Commits `offsets` for the group, which must have no other members: its next consumer starts exactly there. Joins
 * the group for a moment, like a consumer would (admin.setOffsets does the same, but takes ~5 s per topic).
 */
export async function positionGroup(kafka: Kafka, groupId: string, offsets: TopicOffsets): Promise<void> {
  const topicNames = Object.keys(offsets).filter((topic) => offsets[topic]!.length > 0);
  if (topicNames.length === 0) return;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: topicNames, fromBeginning: false });
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not join consumer group ${groupId} within 30 s to position it`)), 30_000);
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        remove();
        resolve();
      });
    });
    // Nothing is handled and nothing committed but the offsets below (autoCommit off).
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    await joined;
    consumer.pause(topicNames.map((topic) => ({ topic })));
    await consumer.commitOffsets(topicNames.flatMap((topic) => offsets[topic]!.map(({ partition, offset }) => ({ topic, partition, offset }))));
  } finally {
    await consumer.disconnect();
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: topicNames });
    const flat = (entries: { topic: string; partition: number; offset: string }[]) => entries.map((e) => `${e.topic}/${e.partition}@${e.offset}`).sort().join(' ');
    const got = flat(committed.flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => ({ topic, partition, offset }))));
    const wanted = flat(topicNames.flatMap((topic) => offsets[topic]!.map(({ partition, offset }) => ({ topic, partition, offset }))));
    if (got !== wanted) throw new Error(`positioning ${groupId} failed: committed ${got}, wanted ${wanted}`);
  } finally {
    await admin.disconnect();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Before a run's services start: creates the event topics, waits until no one is a member of the services'
 * groups (a killed member of the previous run leaves when its session times out), then positions every group at
 * the end of every event topic. Returns those offsets: the start of this run's part of the log.
 */
export async function prepareKafkaForRun(brokers: readonly string[], options: { waitForEmptyGroupsMs?: number } = {}): Promise<TopicOffsets> {
  return withKafkaAdmin(brokers, async (admin) => {
    const specs = eventTopicSpecs();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((spec) => ({ topic: spec.name, numPartitions: spec.partitions, replicationFactor: -1 })) });
    }
    const groups = serviceGroups();
    const deadline = Date.now() + (options.waitForEmptyGroupsMs ?? 45_000);
    for (;;) {
      const busy = (await Promise.all(groups.map(async (groupId) => ({ groupId, ...(await groupMembers(admin, groupId)) })))).filter((group) => group.members.length > 0);
      if (busy.length === 0) break;
      if (Date.now() > deadline) {
        const who = busy.map((group) => `${group.groupId} (${group.state}: ${group.members.join(', ')})`).join('; ');
        throw new Error(
          `Kafka consumer groups of the services still have members: ${who}. Another e2e run, a bench or services started by hand ` +
            'are using this Kafka; they would share these groups with this run and take its events. Stop them first.',
        );
      }
      await sleep(500);
    }
    const start = await endOffsets(admin, specs.map((spec) => spec.name));
    const kafka = kafkaAdminClient(brokers);
    await Promise.all(groups.map((groupId) => positionGroup(kafka, groupId, start)));
    return start;
  });
}

/**
 * Waits until `groupId` has committed at least `offsets` on every partition: the order timeline's group, which reads
 * every event topic from offset 0 (a new generation per database), has passed what earlier runs left on a long-lived
 * Kafka. Until then the order service replays them (15 s of a core on a developer's machine), and whatever a test or a
 * benchmark measures shares the CPU with that replay. Returns how long it took, or undefined when `timeoutMs` ran out.
 */
export async function waitForGroupToReach(brokers: readonly string[], groupId: string, offsets: TopicOffsets, timeoutMs: number): Promise<number | undefined> {
  const topicNames = Object.keys(offsets).filter((topic) => offsets[topic]!.length > 0);
  const started = Date.now();
  return withKafkaAdmin(brokers, async (admin) => {
    for (;;) {
      const committed = await admin.fetchOffsets({ groupId, topics: topicNames });
      const behind = topicNames.some((topic) =>
        offsets[topic]!.some(({ partition, offset }) => {
          const at = committed.find((entry) => entry.topic === topic)?.partitions.find((entry) => entry.partition === partition)?.offset;
          // A partition that held nothing before the run has nothing to replay: the group commits no offset there.
          if (at === undefined || Number(at) < 0) return Number(offset) > 0;
          return Number(at) < Number(offset);
        }),
      );
      if (!behind) return Date.now() - started;
      if (Date.now() - started > timeoutMs) return undefined;
      await sleep(250);
    }
  });
}
