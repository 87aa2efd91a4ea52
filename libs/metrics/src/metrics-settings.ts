// METRICS_PORT / METRICS_HOST, spread into each composition root's config schema (like faultSettingsShape).
import { z } from 'zod';

const portMessage = 'expected a port number (0-65535)';

export const metricsSettingsShape = {
  /** Set: serve GET /metrics on this port (0: the OS picks one). Unset: no metrics server. */
  METRICS_PORT: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, portMessage)
    .transform(Number)
    .refine((n) => n <= 65535, portMessage)
    .optional(),
  /**
   * Unset: 127.0.0.1 (startMetricsServer's default), so only a local scraper reaches it outside a container (where
   * 0.0.0.0 is set). Optional rather than defaulted here, so configs built in code need not name it.
   */
  METRICS_HOST: z.string().trim().min(1).optional(),
};
