// One route, three ways: a bare node http server, Nest on Express, Nest on Fastify. Each parses a
// JSON lead and answers 201 with an id — the framework's share of intake, with no database.
'use strict';
require('reflect-metadata');
const http = require('node:http');
const { randomUUID } = require('node:crypto');

const PORT = Number(process.env.PORT);
const answer = (body) => ({ id: randomUUID(), fields: Object.keys(body).length });

async function main() {
  const adapter = process.env.ADAPTER;
  if (adapter === 'raw') {
    http
      .createServer((req, res) => {
        if (req.method === 'GET') return res.end('ok');
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const json = JSON.stringify(answer(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
          res.end(json);
        });
      })
      .listen(PORT, '127.0.0.1');
    return;
  }
  const { Controller, Post, Get, HttpCode, Body, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  class LeadsController {
    submit(body) {
      return answer(body);
    }
    health() {
      return 'ok';
    }
  }
  Body()(LeadsController.prototype, 'submit', 0);
  Reflect.decorate([Post('leads'), HttpCode(201)], LeadsController.prototype, 'submit', Object.getOwnPropertyDescriptor(LeadsController.prototype, 'submit'));
  Reflect.decorate([Get('health')], LeadsController.prototype, 'health', Object.getOwnPropertyDescriptor(LeadsController.prototype, 'health'));
  Reflect.decorate([Controller()], LeadsController);
  class AppModule {}
  Reflect.decorate([Module({ controllers: [LeadsController] })], AppModule);
  let app;
  if (adapter === 'fastify') {
    const { FastifyAdapter } = require('@nestjs/platform-fastify');
    app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
  } else {
    app = await NestFactory.create(AppModule, { logger: false });
    app.getHttpAdapter().getInstance().set('etag', false);
  }
  await app.listen(PORT, '127.0.0.1');
}
main();
