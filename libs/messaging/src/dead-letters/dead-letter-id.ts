// The public id of a dead letter, `<service>:<broker>:<letter id>`: made and read in one place (services, gateway, CLI).

export type DeadLetterBroker = 'rabbitmq' | 'kafka';

export interface DeadLetterId {
  service: string;
  broker: DeadLetterBroker;
  /** The broker adapter's own id (DeadLetter.id). */
  letterId: string;
}

// URL-safe by construction (no '/', no '%'): it travels as one path segment, unencoded.
const LETTER_ID = '[A-Za-z0-9._:-]{1,300}';
const pattern = new RegExp(`^([a-z][a-z0-9-]{0,39}):(rabbitmq|kafka):(${LETTER_ID})$`);

/** The ids of these services' letters (the gateway's contract names its upstreams), as one pattern. */
export function deadLetterIdPattern(services: readonly string[]): RegExp {
  return new RegExp(`^(?:${services.join('|')}):(?:rabbitmq|kafka):${LETTER_ID}$`);
}

export function formatDeadLetterId({ service, broker, letterId }: DeadLetterId): string {
  return `${service}:${broker}:${letterId}`;
}

/** undefined for anything that is not an id at all (a 400, not a 404). */
export function parseDeadLetterId(id: string): DeadLetterId | undefined {
  const match = pattern.exec(id);
  return match ? { service: match[1]!, broker: match[2] as DeadLetterBroker, letterId: match[3]! } : undefined;
}
