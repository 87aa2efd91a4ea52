// Test helpers @saga/db offers other workspaces' tests (never built): throw-away PostgreSQL databases.
export { createTempDatabase, type TempDatabase } from './temp-database';
