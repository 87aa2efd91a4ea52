// Public surface of @saga/payment-service: the service built from given adapters (what main.ts and the embedded platform
// compose), the HTTP client of the payment provider, its fault operations, and the zod schemas of its HTTP API (the
// gateway's OpenAPI document).
export { createPaymentService } from './payment-service';
export { createHttpPaymentProvider } from './provider/http-payment-provider';
export { paymentFaultOperations } from './faults';
export { paymentListSchema, paymentsQuery } from './http/payments.routes';
export { chargesQuery, providerChargeListSchema, reconcileBody, reconciliationReportSchema } from './http/payment-admin.routes';
