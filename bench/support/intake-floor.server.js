// B1's floor: a bare Node http server doing what intake must at least do — one INSERT of the same
// row with pg and one Redis LPUSH per request.
'use strict';
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { Pool } = require('pg');
const Redis = require('ioredis');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');

async function main() {
  await pool.query(`create table if not exists floor_lead (id uuid primary key, campaign_id text not null, data jsonb not null, raw jsonb not null, received_at timestamptz not null)`);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') return res.end('ok');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const id = randomUUID();
        await pool.query('insert into floor_lead (id, campaign_id, data, raw, received_at) values ($1, $2, $3, $4, now())', [id, 'bench', raw, raw]);
        await redis.lpush('floor:dispatch', id);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id }));
      } catch (err) {
        res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  const stop = () => server.close(() => Promise.all([pool.end(), redis.quit()]).then(() => process.exit(0)));
  process.on('SIGTERM', stop);
}
main();
