import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The JSON shapes the intake and admin API answer with, one per shape, as the handlers build them
 * (admin/admin-queries.ts, admin/*.controller.ts, intake/intake.service.ts …) and docs/api.md
 * describes them. They become the document's `components.schemas`; operations point at them with
 * `ref()`. Objects the API builds itself are closed (`additionalProperties: false`), so a field added
 * to an answer without its place here fails the e2e contract check (docs/api.md › OpenAPI); what
 * comes from campaign files or buyers (lead data, controls, requests and responses) stays open.
 * OpenAPI 3.0: `nullable: true` beside a `type` is how a value may be null.
 */

const text = (description?: string): SchemaObject => ({ type: 'string', ...(description ? { description } : {}) });
const nullableText = (description?: string): SchemaObject => ({ ...text(description), nullable: true });
const time = (description?: string): SchemaObject => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
const uuid: SchemaObject = { type: 'string', format: 'uuid' };
const count = (description?: string): SchemaObject => ({ type: 'integer', minimum: 0, ...(description ? { description } : {}) });
const anyJson = (description: string): SchemaObject => ({ description });
const openObject = (description: string): SchemaObject => ({ type: 'object', additionalProperties: true, description });
const closed = (properties: Record<string, SchemaObject>, required = Object.keys(properties), description?: string): SchemaObject => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required,
  additionalProperties: false,
});

/** The shapes' names, as `components.schemas` holds them. */
export type ApiSchemaName =
  | 'ApiError'
  | 'AcceptedLead'
  | 'PingAnswer'
  | 'Campaign'
  | 'CampaignList'
  | 'Delivery'
  | 'Breaker'
  | 'BuyerState'
  | 'PauseState'
  | 'RunSummary'
  | 'Lead'
  | 'LeadPage'
  | 'LeadSearch'
  | 'LeadDetail'
  | 'Dispatch'
  | 'DispatchWithAttempts'
  | 'Attempt'
  | 'Retried'
  | 'Replayed'
  | 'BatchSummary'
  | 'Batch'
  | 'BatchList'
  | 'FileOptions'
  | 'Erased'
  | 'AuditEntry'
  | 'AuditPage'
  | 'Health';

/** A `$ref` to one of the schemas below. */
export const ref = (name: ApiSchemaName): SchemaObject => ({ $ref: `#/components/schemas/${name}` }) as SchemaObject;

const DISPATCH_STATUS = ['pending', 'delivered', 'rejected', 'failed', 'skipped'];

const Dispatch = closed(
  {
    id: uuid,
    delivery: text(),
    status: { type: 'string', enum: DISPATCH_STATUS },
    reason: nullableText(),
    price: { type: 'number', nullable: true },
    reference: nullableText(),
    captured: { type: 'object', nullable: true, additionalProperties: { type: 'string' }, description: "What the classifier read from the buyer's last answer." },
    buyer: nullableText('A ping-post dispatch that was sold: the winning buyer (`price` is its bid); null otherwise.'),
    batch: { ...uuid, nullable: true },
    attemptCount: count(),
    nextAttemptAt: { ...time('A pending dispatch’s next try, when known.'), nullable: true },
    heldBy: { type: 'string', nullable: true, enum: ['retry', 'cap', 'hours', 'rate', 'breaker', 'paused', null], description: 'What a pending dispatch waits for (docs/api.md › Admin API: dispatch).' },
  },
  undefined,
  'docs/api.md › Admin API: dispatch',
);

const Attempt = closed(
  {
    at: time(),
    durationMs: { type: 'integer', nullable: true },
    request: anyJson('As sent, secrets redacted, bodies cut at 64 KiB; `{ method, erased: true }` once erased.'),
    response: anyJson('As received, likewise; null when no answer came.'),
    outcome: text(),
    reason: nullableText(),
    price: { type: 'number', nullable: true },
    reference: nullableText(),
    captured: { type: 'object', nullable: true, additionalProperties: { type: 'string' } },
    error: nullableText(),
    phase: { type: 'string', nullable: true, enum: ['ping', 'post', null], description: 'A ping-post sale’s attempt: its phase; null otherwise.' },
    buyer: nullableText('A ping-post sale’s attempt: the buyer pinged or posted to; null otherwise.'),
    batch: uuid,
  },
  ['at', 'durationMs', 'request', 'response', 'outcome', 'reason', 'price', 'reference', 'captured', 'error', 'phase', 'buyer'],
);

const DispatchWithAttempts = closed({ ...Dispatch.properties, attempts: { type: 'array', items: ref('Attempt') } }, undefined, 'A dispatch in `GET /v1/leads/{id}`: with every attempt, oldest first, its batch’s included.');

const leadData = openObject('The lead’s values as normalised by its fields; `{}` once erased.');

const Lead = closed({
  id: uuid,
  campaign: text(),
  campaignVersion: text('The content hash of the campaign version it arrived under.'),
  receivedAt: time(),
  data: leadData,
  erasedAt: { ...time(), nullable: true },
  dispatches: { type: 'array', items: ref('Dispatch') },
});

const LeadDetail = closed({
  id: uuid,
  campaign: text(),
  campaignVersion: text(),
  receivedAt: time(),
  data: leadData,
  raw: openObject('The submission as sent; `{}` once erased.'),
  source: nullableText('The address it was sent from; null once erased.'),
  erasedAt: { ...time(), nullable: true },
  dispatches: { type: 'array', items: ref('DispatchWithAttempts') },
});

const page = (item: ApiSchemaName): SchemaObject =>
  closed({ items: { type: 'array', items: ref(item) }, nextCursor: { type: 'string', nullable: true, description: 'The next page’s `cursor`; null on the last page.' } });

const Breaker = closed({
  state: { type: 'string', enum: ['closed', 'open', 'half-open'] },
  since: { ...time(), nullable: true },
  lastError: nullableText(),
  failures: count('Consecutive `retry` outcomes so far.'),
});

const Delivery = closed(
  {
    id: text(),
    plugin: text(),
    summary: text(),
    mode: { type: 'string', enum: ['realtime', 'scheduled', 'on-demand'] },
    schedule: anyJson('For scheduled deliveries, as declared.'),
    controls: openObject('The delivery’s host settings as declared (retry, sendEmpty, the buyer contract), secrets left out.'),
    // The live state, in GET /v1/campaigns/{id} for a campaign in force (engine/contracts/delivery.state.ts).
    paused: { type: 'boolean' },
    caps: {
      type: 'array',
      items: closed({ max: count(), per: text(), timeZone: text(), used: count(), resetsAt: time() }),
    },
    inFlight: count('Sends under way, across instances.'),
    held: count('Pending dispatches held back now.'),
    breaker: { anyOf: [ref('Breaker'), { type: 'boolean', enum: [false] }], description: 'Real-time deliveries; `false` when turned off.' },
    nextOpening: { ...time('With `hours`: when it opens next; null while open.'), nullable: true },
    buyers: { type: 'array', items: ref('BuyerState'), description: 'A `pingPost` delivery’s buyers, each with its own contract’s live state.' },
  },
  ['id', 'plugin', 'summary', 'mode', 'controls'],
);

/** One buyer of a sale, as `GET /v1/campaigns/{id}` shows it (id `<sale>/<buyer>`). */
const BuyerState = closed({
  id: text('`<sale>/<buyer>`: the id its pause and resume take, URL-encoded.'),
  buyer: text(),
  paused: { type: 'boolean' },
  caps: { type: 'array', items: closed({ max: count(), per: text(), timeZone: text(), used: count(), resetsAt: time() }) },
  inFlight: count('Pings and posts under way, across instances.'),
  held: count('Always 0: a buyer is never held, its leads go to the other bidders.'),
  breaker: { anyOf: [ref('Breaker'), { type: 'boolean', enum: [false] }] },
  nextOpening: { ...time('With `hours`: when it opens next; null while open.'), nullable: true },
}, ['id', 'buyer', 'paused', 'caps', 'inFlight', 'held']);

const Campaign = closed({
  id: text(),
  name: text(),
  version: text('The content hash (docs/campaigns.md › Applying campaigns).'),
  archived: { type: 'boolean' },
  fields: { type: 'array', items: { type: 'object', required: ['name', 'type'], additionalProperties: true, properties: { name: text(), type: text(), required: { type: 'boolean' }, description: text() } } },
  deliveries: { type: 'array', items: ref('Delivery') },
  updatedAt: time(),
});

const FileOptions = closed(
  { format: { type: 'string', enum: ['csv', 'tsv'] }, quote: { type: 'string', enum: ['all', 'needed'] }, header: { type: 'boolean' }, fileName: text() },
  ['format', 'quote', 'header'],
);

const Batch = closed({
  id: uuid,
  campaign: text(),
  delivery: text(),
  plugin: nullableText('The delivery’s plugin name; null once the delivery is no longer in the campaign files.'),
  mode: { type: 'string', enum: ['on-demand', 'scheduled'] },
  status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
  createdAt: time(),
  leadCount: count(),
  attempts: count('The plugin’s sends (0 for a download batch).'),
  reason: nullableText('The last send’s.'),
  options: ref('FileOptions'),
  file: text('`/v1/batches/{id}/file`'),
});

const AcceptedLead = closed({
  id: uuid,
  campaign: text(),
  receivedAt: time(),
  dispatches: {
    type: 'array',
    items: closed({ id: uuid, delivery: text(), status: { type: 'string', enum: DISPATCH_STATUS }, reason: nullableText() }, ['id', 'delivery', 'status']),
  },
});

const PingAnswer = closed(
  {
    accepted: { type: 'boolean', description: 'Some delivery would take the lead: criteria, dedupe and caps allow it, and a `pingPost` delivery’s buyers bid.' },
    pingId: { ...uuid, description: 'What the lead’s post names as `pingId`; given when not accepted too (its post is refused).' },
    price: { type: 'number', nullable: true, description: 'The best bid less the campaign’s `margin`, never below 0, rounded to cents; null without a bid.' },
    expiresAt: time('The post must come before this (the `pingPost` delivery’s `pingTtlMs`, else 60 s).'),
    reasons: {
      type: 'array',
      description: 'Only when not accepted: why each delivery would not take it.',
      items: closed({ delivery: text(), reason: text() }),
    },
  },
  ['accepted', 'pingId', 'price', 'expiresAt'],
  'docs/api.md › Pings',
);

const AuditEntry = closed({
  id: { type: 'string', pattern: '^[1-9][0-9]*$' },
  at: time(),
  actor: text('The token’s name, never the token.'),
  action: text('manual-delivery, dispatch-retry, batch-retry, pause, resume, run-now, erasure, or one added later.'),
  campaign: nullableText(),
  delivery: nullableText(),
  leadCount: { type: 'integer', nullable: true },
  detail: openObject('`via` (api or console) and the ids involved; never personal data.'),
});

/**
 * Every error answer (common/api-exception.filter.ts). `statusCode` appears only on Nest's own
 * answer for a route that does not exist (`{ message, error: "Not Found", statusCode: 404 }`).
 */
const ApiError = {
  type: 'object',
  properties: {
    error: text('bad_request, unauthorized, forbidden, not_found, conflict, nothing_pending, ping_refused, payload_too_large, unsupported_media_type, invalid, rate_limited, unavailable, internal'),
    message: text(),
    errors: { type: 'array', items: closed({ field: text(), message: text() }) },
    statusCode: { type: 'integer' },
  },
  required: ['error', 'message'],
  additionalProperties: false,
} satisfies SchemaObject;

const Health = closed({
  status: { type: 'string', enum: ['ok', 'unavailable'] },
  postgres: text('`ok`, or `down: …`'),
  redis: text('`ok`, or `down: …`'),
});

export const API_SCHEMAS: Record<ApiSchemaName, SchemaObject> = {
  ApiError,
  AcceptedLead,
  PingAnswer,
  Campaign,
  CampaignList: closed({ items: { type: 'array', items: ref('Campaign') } }),
  Delivery,
  Breaker,
  BuyerState,
  PauseState: closed({ campaign: text(), delivery: text(), paused: { type: 'boolean' } }),
  RunSummary: closed(
    {
      id: { ...uuid, nullable: true },
      leadCount: count(),
      file: nullableText('`/v1/batches/{id}/file`'),
      status: { type: 'string', nullable: true, enum: ['pending', null] },
    },
    undefined,
    'The batch going out (202), or `id: null` when there was nothing to send (200).',
  ),
  Lead,
  LeadPage: page('Lead'),
  LeadSearch: closed({ matchedBy: { type: 'string', enum: ['id', 'email', 'phone'] }, items: { type: 'array', items: ref('Lead') } }),
  LeadDetail,
  Dispatch,
  DispatchWithAttempts,
  Attempt,
  Retried: closed({ id: uuid, status: { type: 'string', enum: ['pending'] } }),
  Replayed: closed({ count: count('Dispatches back on their way (or, in a dry run, that would be).'), dryRun: { type: 'boolean' } }),
  BatchSummary: closed({ id: uuid, leadCount: count(), file: text('`/v1/batches/{id}/file`'), status: { type: 'string', enum: ['delivered', 'pending'] } }),
  Batch,
  BatchList: closed({ items: { type: 'array', items: ref('Batch') } }),
  FileOptions,
  Erased: closed({ leads: count('How many leads were erased now.') }),
  AuditEntry,
  AuditPage: page('AuditEntry'),
  Health,
};

/** Request bodies (the handlers validate them themselves; these say what they accept). */
export const MANUAL_DELIVERY_BODY = {
  type: 'object',
  additionalProperties: false,
  description: 'Every key optional; unknown keys → 400 (docs/api.md › Manual deliveries).',
  properties: {
    delivery: { type: 'string', minLength: 1, description: 'May be left out when the campaign has exactly one on-demand delivery.' },
    format: { type: 'string', enum: ['csv', 'tsv'] },
    quote: { type: 'string', enum: ['all', 'needed'] },
    header: { type: 'boolean' },
    allowEmpty: { type: 'boolean', description: 'Make the batch even when no lead is pending (otherwise 409).' },
  },
} satisfies SchemaObject;

export const REPLAY_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  description: 'docs/api.md › Bulk replay',
  properties: {
    status: { type: 'string', enum: ['failed', 'rejected'] },
    since: { type: 'string', format: 'date-time', description: 'Status reached at or after (inclusive).' },
    until: { type: 'string', format: 'date-time', description: 'Status reached before (exclusive).' },
    dryRun: { type: 'boolean', description: 'Count only; change nothing.' },
  },
} satisfies SchemaObject;

export const ERASURE_BODY = {
  type: 'object',
  description: 'Exactly one of `email` or `phone` (docs/api.md › Erasures).',
  properties: { email: { type: 'string', format: 'email' }, phone: { type: 'string', example: '(512) 555-0100' } },
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
} satisfies SchemaObject;

export const LEAD_BODY = {
  type: 'object',
  description:
    'The campaign’s fields by name (docs/campaigns.md › Fields); undeclared fields are kept in `raw` only. `pingId`, the id a ping was answered with, posts the lead after that ping (docs/api.md › Pings) and is kept in neither.',
  additionalProperties: true,
  properties: { pingId: { type: 'string', format: 'uuid' } },
  example: { first_name: 'Ana', email: 'ana@example.com', zip: '78701' },
} satisfies SchemaObject;

export const PING_BODY = {
  type: 'object',
  description: 'Any of the campaign’s fields by name: the ones sent are normalised and checked, none is required (docs/api.md › Pings).',
  additionalProperties: true,
  example: { zip: '78701', state: 'TX' },
} satisfies SchemaObject;
