// @saga/faults/testing: a toxiproxy-server of a test's own, on a free port (never the shared API port 8474).
export { freePort, startOwnToxiproxy, toxiproxyServerBin, type OwnToxiproxy } from './toxiproxy-server';
