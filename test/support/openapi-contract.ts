import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The e2e contract check (docs/api.md › OpenAPI): every answer a test gets from a leadrelay server
 * is held against the `/openapi.json` that same server serves — its operation (method and path
 * template), its status, its content type and, for JSON, its body (ajv). `openapi-contract.setup.ts`
 * wraps `fetch` for the whole run; suites that speak raw HTTP hand their answers to `observe`.
 */

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation | unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

interface OpenApiOperation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** One answer as a test saw it; `body` is its text (read for JSON answers only). */
export interface SeenResponse {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  body?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
/** The paths the document speaks for; anything else on a leadrelay server (the console, swagger-ui) is not checked. */
const NAMESPACE = /^\/(v1\/|health\/?$|metrics\/?$|openapi\.json$)/i;

export function inContractNamespace(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && NAMESPACE.test(url.pathname);
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Checks answers against one document; `check` lists what is wrong with one (empty: it conforms). */
export class ContractChecker {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly routes: { template: string; pattern: RegExp; params: number }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, 'openapi.json');
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        // The router ignores letter case and a trailing slash (apps/server/src/bootstrap.ts).
        pattern: new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^/]+?\\\}/g, '[^/]+')}/?$`, 'i'),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal segment wins over a parameter where both would match.
      .sort((a, b) => a.params - b.params);
  }

  /** The compiled schema at a JSON pointer into the document (components resolve through `$ref`). */
  validator(path: string): ValidateFunction {
    let validate = this.validators.get(path);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json#${path}` });
      this.validators.set(path, validate);
    }
    return validate;
  }

  /** The operation's path template for a request path, if the document has one for the method. */
  operationOf(method: string, pathname: string): string | undefined {
    const key = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    return this.routes.find((r) => r.pattern.test(pathname) && this.document.paths[r.template]?.[key])?.template;
  }

  check(seen: SeenResponse): string[] {
    const url = new URL(seen.url);
    const method = seen.method.toLowerCase() === 'head' ? 'get' : seen.method.toLowerCase();
    // The router's own answers, on any path: a URL that does not decode (400), an unknown route (404).
    if (seen.status === 400 && !decodes(url.pathname)) return this.checkBody(seen, '/components/schemas/ApiError', 'application/json');
    const template = this.operationOf(method, url.pathname);
    if (!template) {
      if (seen.status === 404) return this.checkBody(seen, '/components/schemas/ApiError', 'application/json');
      return [`no operation for ${seen.method.toUpperCase()} ${url.pathname} in the document (status ${seen.status})`];
    }
    const operation = this.document.paths[template][method] as OpenApiOperation;
    const status = [String(seen.status), `${String(seen.status)[0]}XX`, 'default'].find((s) => operation.responses[s]);
    if (!status) return [`status ${seen.status} is not documented for ${method.toUpperCase()} ${template} (documented: ${Object.keys(operation.responses).join(', ')})`];
    const content = operation.responses[status].content;
    const type = (seen.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (!content) return seen.body ? [`${method.toUpperCase()} ${template} ${status} documents no body, got ${type || 'one without a content type'}`] : [];
    if (!content[type]) return [`${method.toUpperCase()} ${template} ${status}: content type '${type}' is not documented (documented: ${Object.keys(content).join(', ')})`];
    if (seen.method.toLowerCase() === 'head' || !isJson(type) || !content[type].schema) return [];
    return this.checkBody(seen, `/${pointer('paths', template, method, 'responses', status, 'content', type, 'schema')}`, type);
  }

  private checkBody(seen: SeenResponse, schemaPath: string, type: string): string[] {
    const got = (seen.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (got !== type) return [`${seen.status} answer should be ${type}, got '${got}'`];
    let body: unknown;
    try {
      body = JSON.parse(seen.body ?? '');
    } catch {
      return [`the body is not JSON: ${JSON.stringify((seen.body ?? '').slice(0, 200))}`];
    }
    const validate = this.validator(schemaPath);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(describe);
  }
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

function describe(e: ErrorObject): string {
  const where = e.instancePath || '(body)';
  const detail = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
  return `${where} ${e.message}${detail}`;
}

/**
 * The documents, one per server (origin), fetched once; and the problems found so far, which the
 * setup file turns into a failing test.
 */
class ContractRun {
  private readonly documents = new Map<string, Promise<ContractChecker>>();
  private problems: string[] = [];
  /** How many answers were checked, for the suite that makes sure the check runs. */
  checked = 0;

  constructor(private readonly fetchDocument: (origin: string) => Promise<OpenApiDocument>) {}

  private checker(origin: string, fresh = false): Promise<ContractChecker> {
    let found = this.documents.get(origin);
    if (!found || fresh) {
      found = this.fetchDocument(origin).then((doc) => new ContractChecker(doc));
      found.catch(() => this.documents.delete(origin));
      this.documents.set(origin, found);
    }
    return found;
  }

  /** Checks one answer, if it is in the document's namespace; a problem is kept for `takeProblems`. */
  async observe(seen: SeenResponse): Promise<void> {
    const url = new URL(seen.url);
    if (!inContractNamespace(url)) return;
    let problems: string[];
    try {
      let checker = await this.checker(url.origin);
      // A server started later on the same port may serve more routes (an api after a worker).
      if (!checker.operationOf(seen.method, url.pathname)) checker = await this.checker(url.origin, true);
      problems = checker.check(seen);
    } catch (err) {
      problems = [`could not check it against ${url.origin}/openapi.json: ${(err as Error).message}`];
    }
    this.checked += 1;
    if (problems.length) {
      this.problems.push(`${seen.method.toUpperCase()} ${url.pathname}${url.search} → ${seen.status} ${seen.contentType ?? ''} does not match /openapi.json:\n  - ${problems.join('\n  - ')}`);
    }
  }

  takeProblems(): string[] {
    const taken = this.problems;
    this.problems = [];
    return taken;
  }
}

const originalFetch = globalThis.fetch;

export const contract = new ContractRun(async (origin) => {
  const res = await originalFetch(`${origin}/openapi.json`);
  if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
  return (await res.json()) as OpenApiDocument;
});

/** What `fetch` was called with, as method and absolute URL. */
function requestOf(input: Parameters<typeof fetch>[0], init?: RequestInit): { method: string; url: string } {
  if (input instanceof Request) return { method: init?.method ?? input.method, url: input.url };
  return { method: init?.method ?? 'GET', url: String(input) };
}

/**
 * `fetch` that checks every answer from a leadrelay server before the test sees it. The body is
 * read from a clone, and only for JSON answers, so the test reads the answer as it came (a
 * streamed file is not waited for).
 */
export function contractCheckedFetch(inner: typeof fetch = originalFetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const { method, url } = requestOf(input, init);
    if (!inContractNamespace(new URL(url))) return response;
    const contentType = response.headers.get('content-type');
    let body: string | undefined;
    if (isJson((contentType ?? '').split(';')[0].trim().toLowerCase()) && method.toUpperCase() !== 'HEAD') {
      try {
        body = await response.clone().text();
      } catch {
        // The connection broke mid-body: the test's own read fails the same way.
        return response;
      }
    }
    await contract.observe({ method, url, status: response.status, contentType, body });
    return response;
  };
}
