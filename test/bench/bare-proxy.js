// The floor under the gateway ratio: the least a Node process does to proxy HTTP (node:http in, a keep-alive agent out, bodies piped), and nothing else.
// Run by the gateway bench as its own process (PORT, UPSTREAM_URL), so it competes for the cores as the gateway does.
const http = require('node:http');

const upstream = new URL(process.env.UPSTREAM_URL);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const server = http.createServer((req, res) => {
  // What the bench's readiness probe asks; every other path goes upstream as it came.
  if (req.url === '/health/ready') {
    res.end('ok');
    return;
  }
  const outgoing = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(outgoing);
});

server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
