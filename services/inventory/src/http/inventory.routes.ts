// HTTP adapter: the catalog (public: read by the gateway and by the order service for prices) and the admin's restock.
import type { RouteGuards } from '@saga/auth';
import { NotFoundError, UnprocessableEntityError, fromZodError } from '@saga/platform';
import type { Express } from 'express';
import { z } from 'zod';
import type { Inventory } from '../app/inventory';
import type { RestockOutcome } from '../app/restock';
import type { Product } from '../domain/product';

// Strict: an unknown field is a 400 naming it, not silently dropped (a typo such as "qty" should be heard about).
export const restockBody = z.strictObject({
  sku: z.string().min(1).max(64),
  // One delivery at a time: a bigger number is far more likely a typo than a real truckload.
  quantity: z.number().int().positive().max(1_000_000),
});

/** One catalog entry as GET /products[/:sku] and POST /admin/restock answer it (checked against real responses in the route tests). */
export const productSchema = z.object({ sku: z.string(), name: z.string(), priceCents: z.number().int(), available: z.number().int() }) satisfies z.ZodType<Product>;
export const productListSchema = z.object({ items: z.array(productSchema) });

const productNotFound = (sku: string) => new NotFoundError(`No product with sku ${sku}`, { code: 'PRODUCT_NOT_FOUND' });

function restockedProduct(outcome: RestockOutcome, sku: string): Product {
  if (outcome.ok) return outcome.product;
  if (outcome.reason === 'PRODUCT_NOT_FOUND') throw productNotFound(sku);
  throw new UnprocessableEntityError(`Stock of ${sku} would exceed ${outcome.max} units`, { code: outcome.reason, details: { max: outcome.max } });
}

export function inventoryRoutes(inventory: Inventory, guards: RouteGuards): (app: Express) => void {
  return (app) => {
    // The catalog names no one and changes nothing, so it needs no token: the order service reads prices here
    // without one. Everything that acts or reveals a customer's data is guarded.
    app.get('/products', async (_req, res) => {
      res.json({ items: await inventory.listProducts() });
    });

    app.get('/products/:sku', async (req, res) => {
      const product = await inventory.getProduct(req.params.sku);
      if (!product) throw productNotFound(req.params.sku);
      res.json(product);
    });

    // Operator endpoint: role admin, checked here as well as at the gateway.
    app.post('/admin/restock', ...guards.admin, async (req, res) => {
      const parsed = restockBody.safeParse(req.body);
      if (!parsed.success) throw fromZodError(parsed.error);
      res.json(restockedProduct(await inventory.restock(parsed.data), parsed.data.sku));
    });
  };
}
