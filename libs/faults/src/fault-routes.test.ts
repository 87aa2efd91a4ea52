// The fault API's switch (FAULTS_ENABLED): off, /admin/faults is a 404 and the injector is inert; on, it works.
import { createHttpApp, createLogger, field } from '@saga/platform';
import request from 'supertest';
import { z } from 'zod';
import { FaultInjector, FaultRuleError } from './fault-injector';
import { faultRuleInput, type OperationSpec } from './fault-rule';
import { faultRoutes, faultRuleListSchema, faultRuleSchema, faultRulesClearedSchema, faultSettingsShape } from './fault-routes';

const operations: OperationSpec[] = [{ name: 'charge', kind: 'step', description: 'the charge' }];
const logger = createLogger({ service: 'payment', level: 'silent' });
const appWith = (injector: FaultInjector) =>
  // No guard here: the admin check is the services' (their component tests cover 401/403).
  createHttpApp({ service: 'payment', logger, readiness: async () => ({ status: 'ok', checks: {} }) as never, routes: (app) => faultRoutes(injector, [])(app) });
const rule = { operation: 'charge', effect: 'error' };

describe('FAULTS_ENABLED', () => {
  const schema = z.object({ ...faultSettingsShape, PORT: field.port().default(1) });

  it('is off unless a deployment turns it on, and strict about its value', () => {
    expect(schema.parse({}).FAULTS_ENABLED).toBe(false);
    expect(schema.parse({ FAULTS_ENABLED: 'true' }).FAULTS_ENABLED).toBe(true);
    expect(schema.parse({ FAULTS_ENABLED: '0' }).FAULTS_ENABLED).toBe(false);
    expect(schema.safeParse({ FAULTS_ENABLED: 'yes please' }).success).toBe(false);
  });
});

describe('the fault API switched off', () => {
  const injector = new FaultInjector({ service: 'payment', operations, enabled: false });
  const app = appWith(injector);

  it.each([
    ['post', '/admin/faults'],
    ['get', '/admin/faults'],
    ['delete', '/admin/faults'],
    ['delete', '/admin/faults/some-id'],
  ] as const)('%s %s is 404, as for any route that does not exist', async (method, path) => {
    const response = await request(app)[method](path).send(rule);
    expect(response.status).toBe(404);
    expect(response.body.error).toEqual({ code: 'NOT_FOUND', message: `No route for ${method.toUpperCase()} ${path}` });
  });

  it('holds no rule and fires none, even when code asks it directly', async () => {
    expect(injector.enabled).toBe(false);
    expect(() => injector.add(faultRuleInput.parse(rule))).toThrow(FaultRuleError);
    expect(injector.list()).toEqual([]);
    await expect(injector.beforeOperation('charge')).resolves.toBeUndefined();
    const handled: string[] = [];
    await injector.wrapHandler('charge', async (m: string) => void handled.push(m))('once');
    expect(handled).toEqual(['once']);
  });
});

describe('the fault API switched on', () => {
  const injector = new FaultInjector({ service: 'payment', operations, enabled: true });
  const app = appWith(injector);

  it('adds, lists, fires and clears rules', async () => {
    const created = await request(app).post('/admin/faults').send(rule).expect(201);
    expect(created.body).toMatchObject({ operation: 'charge', effect: 'error', service: 'payment' });
    expect(faultRuleSchema.parse(created.body)).toEqual(created.body);
    const listed = (await request(app).get('/admin/faults').expect(200)).body;
    expect(listed.items).toHaveLength(1);
    expect(faultRuleListSchema.parse(listed)).toEqual(listed);
    await expect(injector.beforeOperation('charge')).rejects.toThrow(/fault injected on charge/);
    const cleared = (await request(app).delete('/admin/faults').expect(200)).body;
    expect(cleared).toEqual({ removed: 1 });
    expect(faultRulesClearedSchema.parse(cleared)).toEqual(cleared);
  });

  it('answers a delay rule with its delayMs, in the documented shape', async () => {
    const created = (await request(app).post('/admin/faults').send({ operation: 'charge', effect: 'delay', delayMs: 5, times: 1 }).expect(201)).body;
    expect(created).toMatchObject({ effect: 'delay', delayMs: 5, times: 1, probability: 1 });
    expect(faultRuleSchema.parse(created)).toEqual(created);
    await request(app).delete(`/admin/faults/${created.id}`).expect(204);
  });

  it('is what an injector is unless told otherwise (tests and code that build their own)', () => {
    expect(new FaultInjector({ service: 'payment', operations }).enabled).toBe(true);
  });
});
