// GET/POST /admin/latency: test harnesses slow the provider down (or speed it up) without restarting it.
import type { Express } from 'express';
import { z } from 'zod';
import { LatencySetting, MAX_LATENCY_MS } from '../app/latency-setting';
import { parseOr400 } from './provider-http';

const latencyBody = z.object({ latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS) });

/** Mounted only when the app is built with `adminEnabled` (PROVIDER_ADMIN_ENABLED=true): the gateway never routes here. */
export function adminLatencyRoutes(app: Express, latency: LatencySetting): void {
  app.get('/admin/latency', (_req, res) => {
    res.json({ latencyMs: latency.ms });
  });
  app.post('/admin/latency', (req, res) => {
    const body = parseOr400(latencyBody, req.body, res);
    if (!body) return;
    latency.set(body.latencyMs);
    res.json({ latencyMs: latency.ms });
  });
}
