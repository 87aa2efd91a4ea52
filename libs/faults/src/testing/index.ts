// @saga/faults/testing: a toxiproxy-server of a test's own, on a free port (never the shared API port 8474), and a
// round trip through one of its proxies.
export { freePort, startOwnToxiproxy, toxiproxyServerBin, type OwnToxiproxy } from './toxiproxy-server';
export { msOf, roundTrip, type RoundTrip } from './round-trip';
