// GET /admin/breakers: the breakers' state at the time of each request, JSON-safe, behind the admin guard it is given.
import type { RequestHandler } from 'express';
import request from 'supertest';
import { ForbiddenError } from '../errors/app-error';
import { createLogger } from '../logging/create-logger';
import { breakerAdminRoutes, processBreakersSchema, type BreakerView } from './breaker-routes';
import { createHttpApp } from './http-app';

const stats = (state: BreakerView['state'], latencyMeanMs: number): BreakerView => ({
  name: 'inventory', state, fires: 6, successes: 1, failures: 5, timeouts: 0, rejects: 2, fallbacks: 0, latencyMeanMs,
});

/** Admin when the request says so: enough to show the route runs the guard it was given. */
const adminOnly: RequestHandler[] = [(req, _res, next) => next(req.get('x-test-admin') === 'yes' ? undefined : new ForbiddenError('Role admin required'))];

function appWith(breakers?: () => readonly BreakerView[]) {
  return createHttpApp({
    service: 'test',
    logger: createLogger({ service: 'test', level: 'silent' }),
    readiness: async () => ({ status: 'ready', checks: {} }),
    routes: breakerAdminRoutes(adminOnly, breakers),
  });
}

describe('GET /admin/breakers', () => {
  it('answers the state of each breaker at the time of the request', async () => {
    let current = stats('closed', 12.5);
    const app = appWith(() => [current]);
    const closed = await request(app).get('/admin/breakers').set('x-test-admin', 'yes').expect(200);
    expect(closed.body).toEqual({ items: [stats('closed', 12.5)] });
    current = stats('open', 3);
    const open = await request(app).get('/admin/breakers').set('x-test-admin', 'yes').expect(200);
    expect(open.body.items[0]).toMatchObject({ name: 'inventory', state: 'open', rejects: 2 });
    expect(processBreakersSchema.parse(open.body)).toEqual(open.body);
  });

  it('reports a mean latency over no call as 0, not as the null JSON would make of NaN', async () => {
    const res = await request(appWith(() => [stats('half-open', Number.NaN)])).get('/admin/breakers').set('x-test-admin', 'yes').expect(200);
    expect(res.body.items[0].latencyMeanMs).toBe(0);
    expect(processBreakersSchema.safeParse(res.body).success).toBe(true);
  });

  it('lists none for a process without breakers, and refuses a caller the guard refuses', async () => {
    expect((await request(appWith()).get('/admin/breakers').set('x-test-admin', 'yes').expect(200)).body).toEqual({ items: [] });
    const refused = await request(appWith(() => [stats('open', 1)])).get('/admin/breakers').expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });
});
