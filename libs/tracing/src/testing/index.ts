// Test helpers @saga/tracing offers other workspaces' tests (never built into dist).
export { fakeTraceparent, recordSpans } from './record-spans';
