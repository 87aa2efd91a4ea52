// Start-up check: every consumer's retry schedule fits under the brokers' limits, or the service refuses to start.
import { ConfigError, type ConfigProblem } from '@saga/platform';
import type { RetryPolicy } from './ports/delivery.types';
import { isBounded, retryWindow, worstCaseDeliveryMs } from './retry-policy';

/** kafkajs's default, set explicitly by KafkaEventLog: how long a group waits for members to rejoin during a rebalance. */
export const DEFAULT_KAFKA_REBALANCE_TIMEOUT_MS = 60_000;

export interface ConsumerBounds {
  /** Queue or consumer group, for the error message. */
  name: string;
  /**
   * rabbitmq: the message stays unacknowledged through all its retries, so the whole schedule must end before the
   * broker's consumer_timeout (else the broker closes the channel and redelivers while the handler still runs).
   * kafka: the consumer heartbeats while it retries, but rejoins a rebalance only between attempts, so one attempt
   * must end within the rebalance timeout.
   */
  transport: 'rabbitmq' | 'kafka';
  policy: RetryPolicy;
}

export interface DeliveryBoundsInput {
  consumers: readonly ConsumerBounds[];
  /** RABBITMQ_CONSUMER_TIMEOUT_MS: what infra/rabbitmq/rabbitmq.conf sets as consumer_timeout. */
  consumerTimeoutMs: number;
  kafkaRebalanceTimeoutMs?: number;
  /**
   * The I/O timeouts that keep one attempt short, by the variable that sets them (DB_CONNECT_TIMEOUT_MS,
   * DB_STATEMENT_TIMEOUT_MS, PROVIDER_TIMEOUT_MS…): one blocked step of each must fit in the attempt's bound.
   */
  attemptIo: Readonly<Record<string, number>>;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function deliveryBoundProblems(input: DeliveryBoundsInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const io = Object.entries(input.attemptIo);
  const ioSum = io.reduce((sum, [, ms]) => sum + ms, 0);
  const rebalanceMs = input.kafkaRebalanceTimeoutMs ?? DEFAULT_KAFKA_REBALANCE_TIMEOUT_MS;
  for (const { name, transport, policy } of input.consumers) {
    if (!isBounded(policy)) {
      problems.push({ variable: name, message: 'retries must be bounded (finite maxAttempts and attempt timeout)' });
      continue;
    }
    if (ioSum > policy.attemptTimeoutMs) {
      const parts = io.map(([variable, ms]) => `${variable} ${seconds(ms)}`).join(' + ');
      problems.push({ variable: io.map(([variable]) => variable).join(', '), message: `one ${name} attempt may wait ${parts} = ${seconds(ioSum)}, more than its ${seconds(policy.attemptTimeoutMs)} bound` });
    }
    const worstMs = worstCaseDeliveryMs(policy);
    if (transport === 'rabbitmq' && worstMs >= input.consumerTimeoutMs) {
      problems.push({ variable: 'RABBITMQ_CONSUMER_TIMEOUT_MS', message: `${name} may hold a message ${seconds(worstMs)} (${policy.maxAttempts + policy.transient.maxAttempts - 1} attempts x ${seconds(policy.attemptTimeoutMs)} + waits up to ${seconds(retryWindow(policy).maxMs + retryWindow(policy.transient).maxMs)}), not below the broker's consumer_timeout of ${seconds(input.consumerTimeoutMs)}` });
    }
    if (transport === 'kafka' && policy.attemptTimeoutMs >= rebalanceMs) {
      problems.push({ variable: name, message: `one attempt may take ${seconds(policy.attemptTimeoutMs)}, not below the Kafka rebalance timeout of ${seconds(rebalanceMs)}` });
    }
  }
  return problems;
}

/** Throws the same ConfigError as a bad environment variable: the service must not start with a schedule that cannot fit. */
export function assertDeliveryBounds(input: DeliveryBoundsInput): void {
  const problems = deliveryBoundProblems(input);
  if (problems.length > 0) throw new ConfigError(problems);
}
