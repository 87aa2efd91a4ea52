// Test helper: re-exported so the service's tests use the shared polling helper.
export { eventually } from '@saga/resilience';
