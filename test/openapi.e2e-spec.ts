import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Browser } from 'playwright-core';
import { freshPage, launchChromium, SHOTS } from './support/console-browser';
import { ContractChecker, contract, type OpenApiDocument } from './support/openapi-contract';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * The OpenAPI contract (docs/api.md › OpenAPI): the document a real server serves is valid, speaks
 * for every API route it registered, renders in swagger-ui, and the checker every e2e suite runs
 * (test/support/openapi-contract.setup.ts) reports an answer that does not match it.
 */
describe('OpenAPI document', () => {
  let server: TestServer;
  let document: Record<string, any>;

  beforeAll(async () => {
    server = await startTestServer('openapi');
    document = await (await fetch(`${server.url}/openapi.json`)).json();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is OpenAPI 3 with leadrelay’s name and version, the admin token and intake key as security schemes', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info).toMatchObject({ title: 'leadrelay', version: require('../package.json').version });
    expect(document.components.securitySchemes).toEqual({
      adminToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      intakeKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }),
    });
    expect(Object.keys(document.paths).filter((p) => /console|demo-buyer|docs/.test(p))).toEqual([]);
  });

  it('compiles every schema with ajv, each component and each request and response body', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema(document, 'openapi.json');
    const escape = (p: string) => p.replace(/~/g, '~0').replace(/\//g, '~1');
    const pointers = Object.keys(document.components.schemas).map((name) => `/components/schemas/${name}`);
    for (const [route, item] of Object.entries<any>(document.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) {
          if (media.schema) pointers.push(`/paths/${escape(route)}/${method}/requestBody/content/${escape(type)}/schema`);
        }
        for (const [status, response] of Object.entries<any>(op.responses)) {
          for (const [type, media] of Object.entries<any>(response.content ?? {})) {
            if (media.schema) pointers.push(`/paths/${escape(route)}/${method}/responses/${status}/content/${escape(type)}/schema`);
          }
        }
      }
    }
    const broken = pointers.flatMap((p) => {
      try {
        ajv.compile({ $ref: `openapi.json#${p}` });
        return [];
      } catch (err) {
        return [`${p}: ${(err as Error).message}`];
      }
    });
    expect(broken).toEqual([]);
    expect(pointers.length).toBeGreaterThan(40);
  });

  it('documents every /v1 route the server registered, each with a summary, its answers and their bodies', () => {
    // Fastify's own route table as it prints it: a tree, four characters a level, each line a
    // segment under its parent's, `(GET, HEAD)` for a route; parameter names are left out of the
    // comparison (the intake's `:campaignId` and the admin API's `:id` share one node).
    const printed: string = server.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    const registered = new Map<string, string>();
    const above: string[] = [];
    for (const line of printed.split('\n')) {
      const match = /^([│├└─\s]*)(\S+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
      if (!match) continue;
      const depth = match[1].length / 4;
      above.length = depth;
      above.push(match[2]);
      const route = above.join('');
      if (!match[3] || !/^\/(v1\/|health$|metrics$)/.test(route)) continue;
      for (const method of match[3].split(/,\s*/)) if (method !== 'HEAD') registered.set(`${method} ${route.replace(/:\w+(\|:\w+)*/g, '{}')}`, `${method} ${route}`);
    }
    const shape = (route: string) => route.replace(/\{\w+\}/g, '{}');
    const documented = new Map<string, string>(
      Object.entries<any>(document.paths).flatMap(([route, item]) => Object.keys(item).map((method): [string, string] => [`${method.toUpperCase()} ${shape(route)}`, route])),
    );
    expect(registered.size).toBeGreaterThan(15);
    expect([...registered].filter(([key]) => !documented.has(key)).map(([, route]) => route)).toEqual([]);
    const thin = [...registered.keys()].flatMap((r) => {
      const [method] = r.split(' ');
      const route = documented.get(r)!;
      const op = document.paths[route][method.toLowerCase()];
      const answers = Object.entries<any>(op.responses);
      const problems = [
        ...(op.summary ? [] : ['no summary']),
        ...(answers.some(([s]) => s.startsWith('2')) ? [] : ['no 2xx answer']),
        ...answers.filter(([, a]) => !a.content).map(([s]) => `${s} without a body`),
        ...(route.startsWith('/v1/') && !answers.some(([s]) => s.startsWith('4')) ? ['no 4xx answer'] : []),
      ];
      return problems.length ? [`${r}: ${problems.join(', ')}`] : [];
    });
    expect(thin).toEqual([]);
  });

  it('is what the checker held this suite’s own fetch against', async () => {
    const before = contract.checked;
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
    expect(contract.checked).toBe(before + 1);
  });

  describe('swagger-ui at /docs', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders the operations from the app’s own files, with no request leaving loopback and no console CSP', async () => {
      const { context, page } = await freshPage(browser, server.url);
      const outside: string[] = [];
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        outside.push(url.href);
        return route.abort();
      });
      try {
        const answer = await page.goto('/docs');
        expect(answer?.status()).toBe(200);
        expect(answer?.headers()['content-security-policy']).toBeUndefined();
        await page.getByText('/v1/campaigns/{campaignId}/leads', { exact: true }).waitFor();
        for (const route of ['/v1/campaigns/{id}/manual-deliveries', '/v1/erasures', '/health']) {
          await expect(page.getByText(route, { exact: true }).first().isVisible()).resolves.toBe(true);
        }
        await page.screenshot({ path: path.join(SHOTS, 'openapi-docs.png'), fullPage: false });
        expect(outside).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});

describe('the contract checker', () => {
  // A tiny document with one operation, its 200 and its 404.
  const tiny: OpenApiDocument = {
    openapi: '3.0.0',
    paths: {
      '/v1/things/{id}': {
        get: {
          responses: {
            200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            404: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } },
          },
        },
      },
      '/v1/things/{id}/file': { get: { responses: { 200: { content: { 'text/csv': { schema: { type: 'string' } } } } } } },
    },
    components: {
      schemas: {
        Thing: { type: 'object', required: ['id', 'count'], additionalProperties: false, properties: { id: { type: 'string', format: 'uuid' }, count: { type: 'integer' } } },
        ApiError: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
      },
    },
  };
  const checker = new ContractChecker(tiny);
  const id = '0b5d3c2e-9c1a-4f3e-8a7b-1d2c3e4f5a6b';
  const json = 'application/json; charset=utf-8';
  const seen = (status: number, body: unknown, url = `http://127.0.0.1:1/v1/things/${id}`, contentType = json) => ({
    method: 'GET', url, status, contentType, body: JSON.stringify(body),
  });

  it('passes an answer that matches', () => {
    expect(checker.check(seen(200, { id, count: 2 }))).toEqual([]);
    expect(checker.check(seen(404, { error: 'not_found', message: 'No thing.' }))).toEqual([]);
    expect(checker.check({ method: 'GET', url: `http://127.0.0.1:1/V1/Things/${id}/file/`, status: 200, contentType: 'text/csv; charset=utf-8' })).toEqual([]);
  });

  it('reports a wrong body with the place and what is wrong', () => {
    expect(checker.check(seen(200, { id: 'not-a-uuid', count: 'two', extra: true }))).toEqual([
      "(body) must NOT have additional properties 'extra'",
      '/id must match format "uuid"',
      '/count must be integer',
    ]);
    expect(checker.check({ ...seen(200, {}), body: '<html>' })).toEqual(['the body is not JSON: "<html>"']);
  });

  it('reports an undocumented status, content type or operation', () => {
    expect(checker.check(seen(409, { error: 'conflict', message: 'No.' }))).toEqual([
      'status 409 is not documented for GET /v1/things/{id} (documented: 200, 404)',
    ]);
    expect(checker.check(seen(200, { id, count: 1 }, undefined, 'text/html'))).toEqual([
      "GET /v1/things/{id} 200: content type 'text/html' is not documented (documented: application/json)",
    ]);
    expect(checker.check({ ...seen(201, { id, count: 1 }), method: 'POST' })).toEqual(['no operation for POST /v1/things/' + id + ' in the document (status 201)']);
  });

  it("accepts the router's own answers, on any path, only with the error body", () => {
    expect(checker.check(seen(404, { error: 'Not Found', message: 'Cannot GET /v1/nothing' }, 'http://127.0.0.1:1/v1/nothing'))).toEqual([]);
    expect(checker.check(seen(400, { error: 'bad_request', message: "URI malformed" }, 'http://127.0.0.1:1/v1/things/%FF'))).toEqual([]);
    expect(checker.check(seen(400, { error: 'bad_request', message: 'No.' }))).toEqual(['status 400 is not documented for GET /v1/things/{id} (documented: 200, 404)']);
    expect(checker.check(seen(404, { nope: true }, 'http://127.0.0.1:1/v1/nothing'))).toEqual([
      "(body) must have required property 'error'",
      "(body) must have required property 'message'",
    ]);
  });
});
