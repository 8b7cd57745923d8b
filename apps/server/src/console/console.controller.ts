import { Controller, Get, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { DateTime } from 'luxon';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { Campaign } from '@leadrelay/persistence';
import type { AdminAccount } from '@leadrelay/config';
import { AdminQueries } from '../admin/admin-queries';
import { replayRequestOf } from '../admin/replay.request';
import { adminByToken, forbidden, requireOperator, sameText } from '../admin/admin-token.guard';
import { AuditLog } from '../audit/audit.log';
import { OperatorActions, type Actor } from '../audit/operator.actions';
import { batchJson } from '../admin/batches.controller';
import { campaignJson } from '../admin/campaigns.controller';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DOMAIN_ERROR_STATUS, DomainError } from '../common/domain.error';
import { sendFile } from '../common/file.response';
import { ApiError, notFound } from '../common/http-errors';
import { readBody } from '../common/request-body';
import { APP_CONFIG, type ServerConfig } from '../config.token';
import { BatchFiles } from '../engine/batch-files';
import { DeliveryStates, type DeliveryLiveState } from '../engine/contracts/delivery.state';
import { attemptViews, nextAttemptView, type AttemptJson } from './attempt.view';
import { saleView } from './sale.view';
import { contractLines, stateLines } from './contract.lines';
import { ConsoleErrorFilter } from './console-error.filter';
import { ConsoleSessions, type ConsoleUser } from './console-session.store';
import { sendPage, type ConsolePage } from './console.views';
import { LoginLimiter, loginKeys } from './login.limiter';
import { crossSiteReason } from './request-origin.check';
import { consoleZone, isZone, ZONE_COOKIE, ZONE_SCRIPT, zoneNames, zoneTime } from './console-time';
import { DeliveryHealth, DISPATCH_STATUSES, FAILING_LOOKBACK_DAYS } from './delivery-health.service';
import { deliveryHealthView } from './delivery-health.view';
import { isUuid } from '../common/uuid';

const COOKIE = 'leadrelay_console';
const STATUSES = ['pending', 'delivered', 'rejected', 'failed', 'skipped'];
/**
 * The web console: server-rendered pages over the same services as the admin API. Every page but
 * the login needs a session (console-session.store.ts); without one a visit is sent to the login.
 * Every POST is refused (403, nothing changed) when it comes from another site or lacks its
 * session's CSRF token, and a viewer's POST that would change something is refused too.
 */
@Controller('console')
@UseFilters(ConsoleErrorFilter)
// HTML pages for people, not part of the API's document (docs/api.md › OpenAPI).
@ApiExcludeController()
export class ConsoleController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServerConfig,
    private readonly em: EntityManager,
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly queries: AdminQueries,
    private readonly files: BatchFiles,
    private readonly states: DeliveryStates,
    private readonly actions: OperatorActions,
    private readonly audit: AuditLog,
    private readonly sessions: ConsoleSessions,
    private readonly limiter: LoginLimiter,
    private readonly health: DeliveryHealth,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('login')
  loginPage(@Query('next') next: string | undefined, @Res() res: FastifyReply) {
    this.html(res, 'login', 'Sign in', { next: safeNext(next) }, undefined);
  }

  /**
   * Sign-in with a token, and its name when it has one. Limited per client address and per name
   * (login.limiter.ts): past the limit it answers 429 with `Retry-After`, whatever the token.
   */
  @Post('login')
  async login(@Req() req: FastifyRequest, @Res() res: FastifyReply) {
    refuseCrossSite(req);
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const name = (form.get('name') ?? '').trim();
    const next = safeNext(form.get('next') ?? undefined);
    const keys = loginKeys(req.ip, name);
    const wait = await this.limiter.waitSeconds(keys);
    if (wait > 0) {
      res.status(429).header('Retry-After', String(wait));
      this.html(res, 'login', 'Sign in', { error: `Too many failed sign-ins: try again in ${Math.ceil(wait / 60)} minute(s).`, next, name }, undefined);
      return;
    }
    const account = this.accountFor(name, form.get('token') ?? '');
    if (!account) {
      await this.limiter.fail(keys);
      res.status(401);
      this.html(res, 'login', 'Sign in', { error: 'That token is not valid. A token written as name:token in ADMIN_TOKENS needs its name too.', next, name }, undefined);
      return;
    }
    res.setCookie(COOKIE, await this.sessions.open(account), {
      httpOnly: true,
      secure: secureCookie(req),
      sameSite: 'strict',
      path: '/console',
      maxAge: this.config.CONSOLE_SESSION_MAX_MS / 1000,
      expires: new Date(Date.now() + this.config.CONSOLE_SESSION_MAX_MS),
    });
    res.redirect(next, 303);
  }

  /** Ends the session on the server too: the same cookie, sent again, is refused. */
  @Post('logout')
  async logout(@Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.postForm(req, res);
    if (!post) return;
    await this.sessions.close(post.user.sessionId);
    res.clearCookie(COOKIE, { path: '/console' });
    res.redirect('/console/login', 303);
  }

  @Get()
  async campaigns(@Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const rows = await this.em.fork().find(Campaign, {}, { orderBy: { archived: 'asc', id: 'asc' } });
    const overview = await this.health.overview(this.registry.all(), this.zoneOf(req));
    const campaigns = rows.map((c) => {
      const campaign = campaignJson(c);
      const seen = overview.get(c.id);
      const deliveries = campaign.deliveries.map((d) => {
        const o = seen?.deliveries.get(d.id);
        const health = o?.health ?? 'ok';
        return {
          ...d,
          health: c.archived ? undefined : health,
          healthClass: health === 'ok' ? 'ok' : health === 'paused' || health === 'breaker half-open' ? 'warn' : 'bad',
          counts: DISPATCH_STATUSES.map((status) => ({ status, n: o?.counts[status] ?? 0 })),
        };
      });
      return { ...campaign, deliveries, leadsToday: seen?.leadsToday ?? 0 };
    });
    this.html(res, 'campaigns', 'Campaigns', { campaigns }, user);
  }

  /**
   * A delivery's health (docs/api.md › Console › Delivery page): its contract and live state, the
   * breaker, how long it has been failing, and its attempts over the last hour and day as charts.
   */
  @Get('campaigns/:id/deliveries/:delivery')
  async deliveryPage(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const campaign = await this.campaign(id);
    const stored = campaign.deliveries.find((d) => d.id === delivery);
    if (!stored) throw notFound(`No delivery '${delivery}' in campaign '${id}'.`);
    const zone = this.zoneOf(req);
    // Archived, or dropped from the campaign file: its history stays readable, without a live state.
    const resolved = this.registry.get(id);
    const inForce = resolved?.deliveries.find((d) => d.id === delivery);
    const live = inForce ? (await this.states.of(resolved!)).get(delivery) : undefined;
    const health = await this.health.delivery(id, delivery, zone);
    this.html(res, 'delivery', `${delivery} · ${campaign.name}`, {
      campaign,
      tab: 'leads',
      delivery: { id: delivery, mode: stored.mode, plugin: stored.plugin },
      inForce: Boolean(inForce),
      contract: inForce ? contractLines(inForce.settings) : [],
      // The breaker has its own row on this page.
      now: stateLines(live && { ...live, breaker: undefined }, zone),
      paused: live?.paused ?? false,
      lookbackDays: FAILING_LOOKBACK_DAYS,
      ...deliveryHealthView(health, live?.breaker, zone),
    }, user);
  }

  /** The time zone page: the zone every console time is shown in (docs/api.md › Console › Time zone). */
  @Get('time-zone')
  async zonePage(@Query('next') next: string | undefined, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const zone = this.zoneOf(req);
    this.html(res, 'timeZone', 'Time zone', { zone, zoneNow: zoneTime(new Date(), zone), zones: zoneNames(), next: safeNext(next) }, user);
  }

  /** Chooses the zone (a viewer too: it changes only what this browser shows); empty = the browser's own, which tz.js learns again. */
  @Post('time-zone')
  async chooseZone(@Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.postForm(req, res);
    if (!post) return;
    const zone = post.form.get('zone') ?? '';
    if (zone && !isZone(zone)) throw new ApiError(400, 'bad_request', `'${zone}' is not a time zone this server knows (an IANA name such as America/Chicago).`);
    // Not HttpOnly: tz.js must see that a zone is chosen, and leave it alone.
    if (zone) res.setCookie(ZONE_COOKIE, zone, { path: '/console', sameSite: 'strict', secure: secureCookie(req), maxAge: 365 * 24 * 60 * 60 });
    else res.clearCookie(ZONE_COOKIE, { path: '/console' });
    res.redirect(safeNext(post.form.get('next') ?? undefined), 303);
  }

  /** The console's one script, same-origin for its CSP (console-time.ts): learns the browser's zone. */
  @Get('assets/tz.js')
  zoneScript(@Res() res: FastifyReply) {
    res.header('Cache-Control', 'public, max-age=3600').header('X-Content-Type-Options', 'nosniff').type('text/javascript; charset=utf-8').send(ZONE_SCRIPT);
  }

  /** The audit log, newest first, as `GET /v1/audit` gives it. */
  @Get('audit')
  async auditPage(@Query('cursor') cursor: string | undefined, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    this.html(res, 'audit', 'Audit', await this.audit.page({ cursor: cursor || undefined }), user);
  }

  @Get('campaigns/:id')
  async leads(@Param('id') id: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const campaign = await this.campaign(id);
    const filter = { status: query.status || undefined, delivery: query.delivery || undefined, since: query.since || undefined, until: query.until || undefined };
    const page = await this.queries.leads(id, { ...filter, until: throughDay(filter.until), limit: '50', cursor: query.cursor || undefined });
    const deliveries = campaign.deliveries.map((d) => d.id);
    const leads = page.items.map((l) => ({
      ...l,
      summary: leadSummary(campaign, l.data as Record<string, unknown>) || l.id,
      dispatches: deliveries.map((d) => l.dispatches.find((x) => x.delivery === d) ?? { status: '—' }),
    }));
    const nextQuery = page.nextCursor ? new URLSearchParams({ ...clean(filter), cursor: page.nextCursor }).toString() : '';
    const inForce = this.registry.get(id);
    const live = inForce ? await this.states.of(inForce) : new Map<string, DeliveryLiveState>();
    const zone = this.zoneOf(req);
    const deliveryStates = (inForce?.deliveries ?? []).map((d) => ({
      id: d.id,
      mode: d.mode.kind,
      paused: live.get(d.id)?.paused ?? false,
      contract: contractLines(d.settings),
      now: stateLines(live.get(d.id), zone),
      // A sale's buyers, each under its own contract, paused and resumed by its id `<sale>/<buyer>`.
      buyers: (d.auction?.buyers ?? []).map((b) => {
        const state = live.get(d.id)?.buyers?.find((x) => x.id === b.ping.id);
        return { buyer: b.id, pathId: encodeURIComponent(b.ping.id), paused: state?.paused ?? false, contract: contractLines(b.ping.settings), now: stateLines(state, zone) };
      }),
    }));
    this.html(res, 'leads', campaign.name, {
      campaign,
      tab: 'leads',
      leads,
      filter,
      statuses: STATUSES,
      nextCursor: page.nextCursor,
      nextQuery,
      deliveryStates,
      notice: query.notice,
    }, user);
  }

  /** **Run now** on a scheduled delivery: as the API's `…/run`; the Batches tab then shows the batch and its status. */
  @Post('campaigns/:id/deliveries/:delivery/run')
  async runNow(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.operatorForm(req, res, 'run a delivery now');
    if (!post) return;
    const run = await this.actions.runNow(post.actor, id, delivery);
    const campaign = encodeURIComponent(id);
    if (!run.id) {
      const notice = `${delivery} had nothing to send: no pending lead (or none within its cap), and it does not send empty batches.`;
      res.redirect(`/console/campaigns/${campaign}?notice=${encodeURIComponent(notice)}`, 303);
      return;
    }
    const notice = `${delivery} is running now: batch ${run.id} with ${run.leadCount} lead(s) is being sent; reload to see its status.`;
    res.redirect(`/console/campaigns/${campaign}/batches?notice=${encodeURIComponent(notice)}`, 303);
  }

  @Post('campaigns/:id/deliveries/:delivery/:action')
  async pauseOrResume(@Param('id') id: string, @Param('delivery') delivery: string, @Param('action') action: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.operatorForm(req, res, 'pause or resume a delivery');
    if (!post) return;
    if (action !== 'pause' && action !== 'resume') throw notFound(`No action '${action}'.`);
    await this.actions.setPaused(post.actor, id, delivery, action === 'pause');
    const [sale, buyer] = delivery.split('/');
    const notice = buyer
      ? action === 'pause'
        ? `Buyer ${buyer} of ${sale} is paused: it is not pinged, and its sales go on with the other buyers.`
        : `Buyer ${buyer} of ${sale} is pinged again.`
      : action === 'pause'
        ? `${delivery} is paused: its leads wait, nothing is lost.`
        : `${delivery} is running again: held leads go out now.`;
    res.redirect(`/console/campaigns/${encodeURIComponent(id)}?notice=${encodeURIComponent(notice)}`, 303);
  }

  @Get('leads/:id')
  async lead(@Param('id') id: string, @Query('notice') notice: string | undefined, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const lead = await this.queries.lead(id);
    const campaign = await this.campaign(lead.campaign);
    const data = lead.data as Record<string, unknown>;
    // In the campaign's declaration order (jsonb keeps its own order), then anything the campaign no longer declares.
    const declared = fieldNames(campaign);
    const names = [...declared, ...Object.keys(data).filter((k) => !declared.includes(k))];
    const fields = names.map((name) => ({ name, value: data[name] ?? '' }));
    // The batches its attempts went in, so a batch's attempt says what it was (a download, a send).
    const batchIds = [...new Set(lead.dispatches.flatMap((d) => (d.attempts ?? []).flatMap((a) => (a.batch ? [a.batch] : []))))];
    const { rows: batchRows } = batchIds.length ? await this.db.query('select * from batch where id = any($1::uuid[])', [batchIds]) : { rows: [] };
    const batches = new Map(batchRows.map((b) => [b.id as string, batchJson(b, this.registry)]));
    const dispatches = lead.dispatches.map((d) => ({
      ...d,
      retryable: d.status === 'failed' || d.status === 'rejected',
      next: nextAttemptView(d, this.registry.delivery(lead.campaign, d.delivery)?.delivery.mode.kind),
      attempts: attemptViews((d.attempts ?? []) as AttemptJson[], batches),
      sale: saleView(d, (d.attempts ?? []) as AttemptJson[], this.registry.delivery(lead.campaign, d.delivery)?.delivery.auction?.buyers.map((b) => b.id)),
    }));
    const summary = leadSummary(campaign, data) || 'Lead';
    this.html(res, 'lead', summary, { lead: { ...lead, dispatches }, campaign, summary, fields, notice }, user);
  }

  @Post('dispatches/:id/retry')
  async retryDispatch(@Param('id') id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.operatorForm(req, res, 'retry a dispatch');
    if (!post) return;
    // First: it answers 404 for an unknown (or malformed) id before any query uses it.
    await this.actions.retryDispatch(post.actor, id);
    const { rows } = await this.db.query<{ lead_id: string }>('select lead_id from dispatch where id = $1', [id]);
    res.redirect(`/console/leads/${rows[0].lead_id}?notice=${encodeURIComponent('The dispatch is pending again and will be retried.')}`, 303);
  }

  @Get('campaigns/:id/manual-delivery')
  async manualPage(@Param('id') id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    await this.manualForm(res, user, id, this.zoneOf(req));
  }

  /**
   * **Download and mark delivered**: makes the manual delivery, then answers 303 to the batch's
   * page, which says what was delivered and offers the file by a link (showing a page and starting
   * a download at once needs script or a refresh trick). Nothing to take → the form again, saying why.
   */
  @Post('campaigns/:id/manual-delivery')
  async manual(@Param('id') id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.operatorForm(req, res, 'deliver leads');
    if (!post) return;
    const { form } = post;
    const format = form.get('format') === 'tsv' ? 'tsv' : 'csv';
    try {
      const batch = await this.actions.manualDelivery(post.actor, id, form.get('delivery') || undefined, {
        format,
        quote: form.get('quote') === 'all' ? 'all' : 'needed',
        header: form.get('header') === 'true',
      });
      res.redirect(`/console/batches/${batch.id}`, 303);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      res.status(DOMAIN_ERROR_STATUS[err.code]);
      await this.manualForm(res, post.user, id, this.zoneOf(req), err.message);
    }
  }

  @Get('campaigns/:id/export')
  async exportPage(@Param('id') id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    this.html(res, 'export', 'Export', { campaign: await this.campaign(id), tab: 'export', statuses: STATUSES }, user);
  }

  @Get('campaigns/:id/export/file')
  async exportFile(@Param('id') id: string, @Query() q: Record<string, string>, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    if (!(await this.signedIn(req, res))) return;
    const file = this.files.forExport(
      id,
      { status: q.status || undefined, delivery: q.delivery || undefined, since: q.since || undefined, until: throughDay(q.until || undefined) },
      { format: q.format === 'tsv' ? 'tsv' : 'csv', quote: q.quote === 'all' ? 'all' : 'needed', header: q.header === 'true' },
    );
    await sendFile(res, file, this.logger);
  }

  @Get('campaigns/:id/batches')
  async batchList(@Param('id') id: string, @Query('notice') notice: string | undefined, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const campaign = await this.campaign(id);
    const { rows } = await this.db.query('select * from batch where campaign_id = $1 order by created_at desc, id desc limit 200', [id]);
    this.html(res, 'batches', 'Batches', { campaign, tab: 'batches', batches: rows.map((b) => batchJson(b, this.registry)), notice }, user);
  }

  /** One batch: what it delivered, its file, and how many leads its delivery has pending now. */
  @Get('batches/:id')
  async batchPage(@Param('id') id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const { rows } = isUuid(id) ? await this.db.query('select * from batch where id = $1', [id]) : { rows: [] };
    if (!rows.length) throw notFound(`No batch '${id}'.`);
    const batch = batchJson(rows[0], this.registry);
    const campaign = await this.campaign(batch.campaign);
    const pending = (await this.pendingByDelivery(batch.campaign)).get(batch.delivery) ?? 0;
    // A batch with no send (attempts 0) and delivered is a download: its file is the delivery.
    const outcome = batch.status === 'delivered' ? (batch.attempts ? 'sent' : 'downloaded') : batch.status === 'pending' ? 'sending' : 'failed';
    this.html(res, 'batch', `Batch ${batch.id}`, { campaign, tab: batch.mode === 'on-demand' ? 'manual' : 'batches', batch, pending, outcome }, user);
  }

  @Get('batches/:id/file')
  async batchFile(@Param('id') id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    if (!(await this.signedIn(req, res))) return;
    const { rows } = isUuid(id) ? await this.db.query('select * from batch where id = $1', [id]) : { rows: [] };
    if (!rows.length) throw notFound(`No batch '${id}'.`);
    await sendFile(res, this.files.forBatch(rows[0]), this.logger);
  }

  @Post('batches/:id/retry')
  async retryBatch(@Param('id') id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.operatorForm(req, res, 'retry a batch');
    if (!post) return;
    if (!isUuid(id)) throw notFound(`No batch '${id}'.`);
    await this.actions.retryBatch(post.actor, id);
    const { rows } = await this.db.query<{ campaign_id: string }>('select campaign_id from batch where id = $1', [id]);
    res.redirect(`/console/campaigns/${rows[0].campaign_id}/batches?notice=${encodeURIComponent('The batch will be sent again.')}`, 303);
  }

  /** Leads of every campaign by id, email or phone, as `GET /v1/leads?q=` finds them. */
  @Get('search')
  async search(@Query('q') q: string | undefined, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const term = typeof q === 'string' ? q : '';
    if (!term.trim()) return this.html(res, 'search', 'Search', { q: '' }, user);
    try {
      const found = await this.queries.search(term);
      const rows = await this.em.fork().find(Campaign, { id: [...new Set(found.items.map((l) => l.campaign))] });
      const campaigns = new Map(rows.map((c) => [c.id, campaignJson(c)]));
      const items = found.items.map((l) => {
        const campaign = campaigns.get(l.campaign);
        return { ...l, campaignName: campaign?.name ?? l.campaign, summary: (campaign && leadSummary(campaign, l.data as Record<string, unknown>)) || l.id };
      });
      this.html(res, 'search', 'Search', { q: term, searched: true, matchedBy: found.matchedBy, items }, user);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'bad_request')) throw err;
      res.status(400);
      this.html(res, 'search', 'Search', { q: term, error: err.message }, user);
    }
  }

  /** Bulk replay, step one: how many of the delivery's failed or rejected dispatches a range takes (a dry run). */
  @Get('campaigns/:id/deliveries/:delivery/replay')
  async replayPage(@Param('id') id: string, @Param('delivery') delivery: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const user = await this.signedIn(req, res);
    if (!user) return;
    const campaign = await this.campaign(id);
    if (!this.registry.delivery(id, delivery)) throw notFound(`No delivery '${delivery}' in campaign '${id}' in force.`);
    const zone = this.zoneOf(req);
    const form = { status: query.status === 'rejected' ? 'rejected' : 'failed', since: query.since ?? '', until: query.until ?? '' };
    const context = { campaign, tab: 'leads', delivery, statuses: ['failed', 'rejected'], zone, ...form };
    if (!query.status) return this.html(res, 'replay', `Retry ${delivery}`, context, user);
    try {
      const { selection } = replayRequestOf(id, delivery, replayBody(form, zone));
      const { count } = await this.actions.replay({ name: user.name, via: 'console' }, selection, true);
      const range = [form.since && `from ${form.since.replace('T', ' ')}`, form.until && `before ${form.until.replace('T', ' ')}`].filter(Boolean).join(' ');
      this.html(res, 'replay', `Retry ${delivery}`, { ...context, counted: true, count, range: range && `${range} ${zone}` }, user);
    } catch (err) {
      if (!(err instanceof ApiError && err.getStatus() === 400)) throw err;
      res.status(400);
      this.html(res, 'replay', `Retry ${delivery}`, { ...context, error: (err.getResponse() as { message: string }).message }, user);
    }
  }

  /** Bulk replay, step two: retries what the count showed (the same selection, counted again as it runs). */
  @Post('campaigns/:id/deliveries/:delivery/replay')
  async replay(@Param('id') id: string, @Param('delivery') delivery: string, @Req() req: FastifyRequest, @Res() res: FastifyReply) {
    const post = await this.operatorForm(req, res, 'retry dispatches');
    if (!post) return;
    const form = { status: post.form.get('status') ?? '', since: post.form.get('since') ?? '', until: post.form.get('until') ?? '' };
    const { selection } = replayRequestOf(id, delivery, replayBody(form, this.zoneOf(req)));
    const { count } = await this.actions.replay(post.actor, selection, false);
    const notice = `${count} ${form.status} dispatch(es) of ${delivery} are pending again and will be retried.`;
    res.redirect(`/console/campaigns/${encodeURIComponent(id)}?notice=${encodeURIComponent(notice)}`, 303);
  }

  private async manualForm(res: FastifyReply, user: ConsoleUser, id: string, zone: string, error?: string) {
    const campaign = await this.campaign(id);
    // Only a campaign in force can deliver (an archived one is not in the registry).
    const resolved = this.registry.get(id);
    const manual = (resolved?.deliveries ?? []).filter((d) => d.mode.kind === 'on-demand');
    const pending = await this.pendingByDelivery(id);
    const live = resolved ? await this.states.of(resolved) : new Map<string, DeliveryLiveState>();
    // One form per delivery, each with its own defaults and its own button, off when it would take
    // no lead (the API would answer 409): nothing pending, paused, or a cap used up.
    const deliveries = manual.map((d) => {
      const file = this.files.optionsFor(resolved!, d, {});
      const n = pending.get(d.id) ?? 0;
      const state = live.get(d.id);
      const fullCap = state?.caps.find((c) => c.used >= c.max);
      const held = state?.paused
        ? `${d.id} is paused: resume it on the Leads tab to deliver.`
        : !n
          ? `Nothing is pending for ${d.id}: there is nothing to deliver until a lead arrives.`
          : fullCap
            ? `The cap of ${fullCap.max} per ${fullCap.per} is used up until ${zoneTime(fullCap.resetsAt, zone)}: the ${n} pending lead(s) wait for the next window.`
            : undefined;
      return { id: d.id, pending: n, held, format: file.format, quote: file.quote, header: file.header, columns: file.columns.map((c) => c.header).join(', ') };
    });
    this.html(res, 'manual', 'Manual delivery', {
      campaign,
      tab: 'manual',
      error: error ?? (manual.length ? undefined : 'This campaign has no on-demand delivery, so there is nothing to deliver from here. Use Export to download its leads.'),
      deliveries,
    }, user);
  }

  /** Each delivery's pending dispatches that no batch holds yet: what a manual delivery would take. */
  private async pendingByDelivery(campaignId: string): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ delivery_id: string; n: number }>(
      `select delivery_id, count(*)::int as n from dispatch where campaign_id = $1 and status = 'pending' and batch_id is null group by delivery_id`,
      [campaignId],
    );
    return new Map(rows.map((r) => [r.delivery_id, r.n]));
  }

  private async campaign(id: string) {
    const row = await this.em.fork().findOne(Campaign, { id });
    if (!row) throw notFound(`No campaign '${id}'.`);
    return campaignJson(row);
  }

  /** The session's user when its cookie is valid; otherwise answers with a redirect to the login (a forged or expired cookie too). */
  private async signedIn(req: FastifyRequest, res: FastifyReply): Promise<ConsoleUser | undefined> {
    const user = await this.sessions.check(req, req.cookies[COOKIE]);
    if (!user) res.redirect(`/console/login?next=${encodeURIComponent(req.originalUrl)}`, 303);
    return user;
  }

  /**
   * The checks of every state-changing request, before anything is read or done: from this site,
   * signed in (else the login), and carrying the session's CSRF token. Refusals are 403 pages.
   */
  private async postForm(req: FastifyRequest, res: FastifyReply): Promise<{ user: ConsoleUser; form: URLSearchParams } | undefined> {
    refuseCrossSite(req);
    const user = await this.signedIn(req, res);
    if (!user) return undefined;
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    if (!sameText(form.get('_csrf') ?? '', user.csrf)) {
      throw forbidden('This form did not carry its security token (or it is from a session that has ended): nothing was changed. Reload the page and try again.');
    }
    return { user, form };
  }

  /** `postForm`, for an operator only: a viewer is refused (403) with `what` it tried. */
  private async operatorForm(req: FastifyRequest, res: FastifyReply, what: string): Promise<{ user: ConsoleUser; form: URLSearchParams; actor: Actor } | undefined> {
    const post = await this.postForm(req, res);
    if (!post) return undefined;
    requireOperator(post.user, what);
    return { ...post, actor: { name: post.user.name, via: 'console' } };
  }

  /**
   * The entry that signs in: with a name, that entry if the token is its own; without one, an entry
   * written without a name (a named token needs its name, so the per-name limit cannot be dodged).
   */
  private accountFor(name: string, token: string): AdminAccount | undefined {
    const account = adminByToken(this.config, token);
    if (!account) return undefined;
    return (name ? account.name === name : !account.named) ? account : undefined;
  }

  /** The time zone the operator reads and types times in (console-time.ts). */
  private zoneOf(req: FastifyRequest): string {
    return consoleZone(req);
  }

  private html(res: FastifyReply, page: ConsolePage, title: string, context: Record<string, unknown>, user: ConsoleUser | undefined) {
    sendPage(res, page, title, context, user);
  }
}

/** A POST from another site is refused before it is read (request-origin.check.ts). */
function refuseCrossSite(req: FastifyRequest): void {
  const reason = crossSiteReason(req);
  if (reason) throw forbidden(`Refused: ${reason}. Nothing was changed.`);
}

/**
 * Browsers keep a `Secure` cookie only from https, or from plain http on loopback (Chromium treats
 * localhost and 127.0.0.1 as trustworthy). Always Secure would make sign-in loop silently on a
 * plain-http deployment (http://leads.internal:3000), so it is Secure over https (directly, or
 * through a proxy on loopback saying so) and on loopback; elsewhere the session travels as the
 * token did, in clear, and is still HttpOnly and SameSite=Strict.
 */
function secureCookie(req: FastifyRequest): boolean {
  return req.protocol === 'https' || /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(req.hostname ?? '');
}

/** A person picks whole days: "to 4 January" means through the end of that day (the API's `until` is exclusive). */
function throughDay(until: string | undefined): string | undefined {
  if (!until || !/^\d{4}-\d{2}-\d{2}$/.test(until)) return until;
  const next = new Date(`${until}T00:00:00Z`);
  if (Number.isNaN(next.getTime())) return until;
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

function fieldNames(campaign: { fields: unknown[] }): string[] {
  return (campaign.fields as { name: string }[]).map((f) => f.name);
}

/** A lead in a few words: its first three values, in the campaign's field order. */
function leadSummary(campaign: { fields: unknown[] }, data: Record<string, unknown>): string {
  return fieldNames(campaign)
    .map((name) => data[name])
    .filter((v) => v !== null && v !== undefined && v !== '')
    .slice(0, 3)
    .join(' · ');
}

/** The replay form's values as the API's body: a `datetime-local` value is a wall time in `zone`. */
function replayBody(form: { status: string; since: string; until: string }, zone: string): Record<string, unknown> {
  const instant = (local: string) => {
    if (!local) return undefined;
    const time = DateTime.fromISO(local, { zone });
    return time.isValid ? time.toUTC().toISO() : local;
  };
  return Object.fromEntries(Object.entries({ status: form.status, since: instant(form.since), until: instant(form.until) }).filter(([, v]) => v !== undefined));
}

/** Only same-site console paths: never an open redirect. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/console') && !next.startsWith('//') ? next : '/console';
}

function clean(filter: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v)) as Record<string, string>;
}
