// B2's buyer: answers every POST at once with a LeadConduit-style success, over keep-alive, and
// records when each lead arrived (by Idempotency-Key, i.e. dispatch id) on the shared clock
// (performance.timeOrigin + now, in ms), so the benchmark can measure submit → buyer-received.
'use strict';
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const now = () => performance.timeOrigin + performance.now();
let arrivals = new Map();
let first = 0;
let last = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ count: arrivals.size, first, last }));
  }
  if (req.method === 'GET' && req.url === '/arrivals') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify(Object.fromEntries(arrivals)));
  }
  if (req.method === 'POST' && req.url === '/reset') {
    arrivals = new Map();
    first = last = 0;
    return res.end('ok');
  }
  if (req.method === 'GET') return res.end('ok');
  const at = now();
  req.on('data', () => undefined);
  req.on('end', () => {
    const key = req.headers['idempotency-key'];
    if (key && !arrivals.has(key)) arrivals.set(key, at);
    if (!first) first = at;
    last = at;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"result":"success"}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
