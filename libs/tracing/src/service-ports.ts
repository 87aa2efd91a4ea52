// The embedded platform runs every service in one process: which inner service listens on which local port.
const servicesByPort = new Map<number, string>();

/**
 * Spans of requests that arrive on `port` are attributed to `service` (saga.service), and so are their children,
 * unless one names its own. Only the embedded platform needs it: elsewhere a process is one service (service.name).
 */
export function attributeServicePort(port: number, service: string): void {
  servicesByPort.set(port, service);
}

export function serviceOfPort(port: number | undefined): string | undefined {
  return port === undefined ? undefined : servicesByPort.get(port);
}
