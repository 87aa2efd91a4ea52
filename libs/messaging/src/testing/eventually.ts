// Test helper: re-exported so the contract suites and their callers share one polling helper.
export { eventually } from '@saga/resilience';
