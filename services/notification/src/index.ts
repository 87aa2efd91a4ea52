// Public surface of @saga/notification-service: the service built from given adapters (what main.ts and the embedded
// platform compose), the log channel, its fault operations, and the zod schemas of its HTTP API (the gateway's OpenAPI document).
export { createNotificationService } from './notification-service';
export { LogChannel } from './channels/log.channel';
export { notificationFaultOperations } from './faults';
export { notificationListSchema, notificationsQuery } from './http/notification.routes';
