// POST /auth/token: the request the gateway validates and the response it sends, as zod schemas (also the OpenAPI source).
import { z } from 'zod';

// Strict: an unknown field is a 400, not silently ignored (a typo like "user" should be heard about).
export const tokenRequestSchema = z.strictObject({ username: z.string().min(1).max(128), password: z.string().max(1024) });

/** What the issuer answers (checked against real responses in gateway-app.test.ts). */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
});
