// One line written through a proxy to an echo server and read back: how long it took, or how a client saw it fail.
import { connect } from 'node:net';

export type RoundTrip = { ms: number } | { error: string };

/** `address` is host:port (a Toxiproxy proxy's `listen`); the far end must echo what it reads. */
export async function roundTrip(address: string): Promise<RoundTrip> {
  const [host, port] = address.split(':');
  const socket = connect({ host, port: Number(port) });
  const started = Date.now();
  try {
    return await new Promise((resolve) => {
      socket.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      socket.once('close', () => resolve({ error: 'closed' }));
      socket.once('data', () => resolve({ ms: Date.now() - started }));
      socket.write('ping\n');
    });
  } finally {
    socket.destroy();
  }
}

/** The milliseconds of a round trip that must have worked (a failure fails the test with what the client saw). */
export function msOf(trip: RoundTrip): number {
  if ('error' in trip) throw new Error(`the round trip failed: ${trip.error}`);
  return trip.ms;
}
