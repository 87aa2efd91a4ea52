// startHttpServer: binding (port 0), draining in-flight requests on stop, and the drain deadline.
import express from 'express';
import { startHttpServer, type HttpServerHandle } from './http-server';

const handles: HttpServerHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop(0)));
});

/** An app whose /slow handler signals when it starts and answers only when released. */
function slowApp() {
  let entered!: () => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const app = express();
  app.get('/slow', async (_req, res) => {
    entered();
    await released;
    res.json({ done: true });
  });
  app.get('/fast', (_req, res) => {
    res.json({ fast: true });
  });
  return { app, started, release };
}

async function start(app: express.Express) {
  const handle = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  handles.push(handle);
  return handle;
}

describe('startHttpServer', () => {
  it('binds port 0 to a free port and reports it', async () => {
    const { port } = await start(slowApp().app);
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/fast`);
    expect(await res.json()).toEqual({ fast: true });
  });

  it('rejects when the port is taken', async () => {
    const { port } = await start(slowApp().app);
    await expect(startHttpServer(slowApp().app, { port, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('stop refuses new connections but lets in-flight requests finish', async () => {
    const { app, started, release } = slowApp();
    const handle = await start(app);
    // With a long keep-alive, a stop that waited for clients to hang up would hit the test timeout.
    handle.server.keepAliveTimeout = 60_000;
    const base = `http://127.0.0.1:${handle.port}`;
    // A keep-alive connection that is idle must not hold the stop open either.
    await fetch(`${base}/fast`).then((r) => r.json());

    const inFlight = fetch(`${base}/slow`).then((r) => r.json());
    await started;
    const stopped = handle.stop(60_000);
    await expect(fetch(`${base}/fast`, { headers: { connection: 'close' } })).rejects.toThrow();

    release();
    await expect(inFlight).resolves.toEqual({ done: true });
    await expect(stopped).resolves.toBeUndefined();
    expect(handle.server.listening).toBe(false);
  });

  it('after the drain deadline, cuts requests that are still running', async () => {
    const { app, started } = slowApp();
    const handle = await start(app);
    const inFlight = fetch(`http://127.0.0.1:${handle.port}/slow`);
    await started;
    await expect(handle.stop(20)).resolves.toBeUndefined();
    await expect(inFlight).rejects.toThrow();
    expect(handle.stop(20)).toBe(handle.stop()); // idempotent
  });
});
