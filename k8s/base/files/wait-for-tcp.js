// Init-container helper: exits once every host:port argument accepts a TCP connection (Kubernetes has no start order).
const net = require('node:net');

const reachable = (host, port) =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });

async function main() {
  for (const target of process.argv.slice(2)) {
    const [host, port] = target.split(':');
    // DNS fails until the Service exists and a refused connect until its pod is up: both just mean "not yet".
    while (!(await reachable(host, Number(port)))) {
      console.log(`waiting for ${target}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    console.log(`${target} is up`);
  }
}

void main();
