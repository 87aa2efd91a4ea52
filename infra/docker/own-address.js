// Preloaded by the image (NODE_OPTIONS): SERVICE_ADDRESS=auto becomes this container's own IPv4 address, so each replica registers itself in Consul.
'use strict';
const { networkInterfaces } = require('node:os');

if (process.env.SERVICE_ADDRESS === 'auto') {
  const own = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal);
  // No network at all: leave it unset, the service then registers 127.0.0.1 (the native default).
  if (own) process.env.SERVICE_ADDRESS = own.address;
  else delete process.env.SERVICE_ADDRESS;
}
