/**
 * The least any Node.js gateway can do: a `node:http` pass-through proxy that forwards each request
 * to the upstream over kept-alive connections and pipes the answer back, parsing nothing. The
 * gateway benchmark measures it beside the real gateway, in the same rounds, so the latency it adds
 * is the floor that a proxy process on this machine pays before any routing, accounting or
 * parsing: a target below that floor cannot be met by tuning the gateway.
 *
 * Usage: `node bare-proxy.mjs <upstream origin>`; prints `bare proxy: http://127.0.0.1:<port>`.
 */
import http from 'node:http';

const upstream = new URL(process.argv[2] ?? '');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const server = http.createServer((request, response) => {
  const forwarded = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
      agent,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  forwarded.on('error', () => {
    if (!response.headersSent) response.writeHead(502);
    response.end();
  });
  request.pipe(forwarded);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `bare proxy: http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
