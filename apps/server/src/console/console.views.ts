import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import type { ConsoleUser } from './console-session.store';
import { ERROR_PAGE } from './pages/error.page';
import { LOGIN_PAGE } from './pages/login.page';
import { CAMPAIGNS_PAGE } from './pages/campaigns.page';
import { TABS_PARTIAL } from './pages/tabs.page';
import { LEADS_PAGE } from './pages/leads.page';
import { LEAD_PAGE } from './pages/lead.page';
import { MANUAL_PAGE } from './pages/manual-delivery.page';
import { EXPORT_PAGE } from './pages/export.page';
import { BATCHES_PAGE } from './pages/batches.page';
import { BATCH_PAGE } from './pages/batch.page';
import { AUDIT_PAGE } from './pages/audit.page';
import { SEARCH_PAGE } from './pages/search.page';
import { REPLAY_PAGE } from './pages/replay.page';
import { DELIVERY_PAGE } from './pages/delivery.page';
import { TIME_ZONE_PAGE } from './pages/time-zone.page';
import { consoleZone, zoneTime } from './console-time';

/**
 * The console's pages: server-rendered handlebars with HTML escaping, plain CSS, no client script
 * but tz.js, which tells the server the browser's time zone (console-time.ts).
 * Each page is a template string in pages/, so the build ships them with no asset step.
 */
const hbs = Handlebars.create();

hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
// In the operator's zone (the render's `@zone`, console-time.ts), with the instant for machines.
hbs.registerHelper('time', (value: unknown, options: Handlebars.HelperOptions) => {
  if (!value) return '';
  const at = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(at.getTime())) return String(value);
  return new hbs.SafeString(`<time datetime="${at.toISOString()}">${hbs.escapeExpression(zoneTime(at, options.data?.zone ?? 'UTC'))}</time>`);
});
hbs.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
hbs.registerHelper('selected', (a: unknown, b: unknown) => (a === b ? 'selected' : ''));
hbs.registerHelper('checked', (a: unknown, b: unknown) => (a === b ? 'checked' : ''));
hbs.registerHelper('plus1', (n: unknown) => Number(n) + 1);
hbs.registerHelper('upper', (v: unknown) => String(v ?? '').toUpperCase());

const CSS = `
:root { --ink:#1d2433; --muted:#5b6478; --line:#dde2ea; --bg:#f6f7fb; --accent:#2456d6; --ok:#146c3f; --bad:#b42318; --warn:#a15c00; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink); background:var(--bg); }
header { background:#111a2e; color:#fff; padding:.7rem 1.5rem; display:flex; gap:1.5rem; align-items:center; }
header a { color:#fff; text-decoration:none; } header .brand { font-weight:700; letter-spacing:.02em; }
header form { margin-left:auto; } header button { background:none; border:1px solid #fff6; color:#fff; } header .who { color:#fffc; margin-right:.6rem; font-size:.9rem; }
main { max-width:1150px; margin:1.5rem auto; padding:0 1.5rem; }
h1 { font-size:1.45rem; margin:.2rem 0 1rem; } h2 { font-size:1.1rem; margin:1.5rem 0 .5rem; }
a { color:var(--accent); }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:.45rem .6rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f6; font-weight:600; font-size:.85rem; color:var(--muted); }
.status { display:inline-block; padding:0 .45rem; border-radius:.6rem; font-size:.8rem; font-weight:600; background:#eef1f6; }
.status.delivered { color:var(--ok); background:#e3f4ea; } .status.rejected, .status.failed { color:var(--bad); background:#fde8e6; }
.status.pending { color:var(--warn); background:#fff3df; }
.status.skipped { color:var(--muted, #666); background:#eef0f3; }
.card { background:#fff; border:1px solid var(--line); border-radius:.5rem; padding:1rem 1.2rem; margin-bottom:1rem; }
.tabs { display:flex; gap:.4rem; margin:0 0 1rem; flex-wrap:wrap; } .tabs a { padding:.3rem .8rem; border:1px solid var(--line); border-radius:.4rem; background:#fff; text-decoration:none; }
.tabs a.on { background:var(--accent); color:#fff; border-color:var(--accent); }
form.inline { display:inline; } label { display:block; margin:.6rem 0 .2rem; font-weight:600; }
fieldset { border:1px solid var(--line); border-radius:.4rem; margin:.8rem 0; } legend { font-weight:600; }
input, select, button { font:inherit; padding:.35rem .55rem; border:1px solid #b9c1cf; border-radius:.35rem; background:#fff; }
button.primary { background:var(--accent); color:#fff; border-color:var(--accent); padding:.45rem 1rem; cursor:pointer; }
button { cursor:pointer; } .filters { display:flex; gap:.8rem; align-items:flex-end; flex-wrap:wrap; margin-bottom:1rem; } .filters label { margin:0; font-size:.85rem; }
.muted { color:var(--muted); } .error { color:var(--bad); font-weight:600; } .notice { background:#e3f4ea; border:1px solid #b7e1c7; padding:.6rem .9rem; border-radius:.4rem; }
pre { background:#0f1626; color:#dfe6f3; padding:.7rem; border-radius:.35rem; overflow:auto; max-height:18rem; font-size:.8rem; white-space:pre-wrap; word-break:break-all; }
.login { max-width:380px; margin:5rem auto; }
.card > h2:first-child, .card > p:first-child { margin-top:0; } .lead-id { font-size:.8rem; font-weight:400; } .empty { color:#a3aab8; }
.choices { display:flex; gap:1rem; flex-wrap:wrap; } .choices fieldset { flex:1 1 16rem; margin:.4rem 0; }
fieldset label { font-weight:400; margin:.35rem 0; } .hint { color:var(--muted); font-size:.85rem; margin:.2rem 0 0; }
.files td { font-size:.9rem; } .files code { font-size:.8rem; white-space:normal; }
.filters input, .filters select, .filters button { height:2.4rem; } .filters a { align-self:center; }
.actions { display:flex; gap:1rem; align-items:center; flex-wrap:wrap; margin-top:1rem; }
.attempt { font-size:1rem; margin:1.3rem 0 .3rem; } .answer { font-weight:700; } .next-attempt { background:#fff3df; border:1px solid #f0d9a8; padding:.5rem .8rem; border-radius:.4rem; }
.badge { display:inline-block; padding:0 .45rem; border-radius:.6rem; font-size:.8rem; font-weight:600; color:#6b3f00; background:#fff3df; border:1px solid #e5c48a; }
details { margin:.4rem 0; } summary { cursor:pointer; font-weight:600; } table.headers, table.form-body { margin:.4rem 0; font-size:.85rem; }
table.headers th[scope=row], table.form-body th[scope=row] { width:30%; font-family:ui-monospace, monospace; } .body-kind { color:var(--muted); font-size:.85rem; margin:.5rem 0 .2rem; }
header form.search { margin-left:0; } header form.search input { width:16rem; background:#1c2741; color:#fff; border-color:#fff6; }
header form.search input::placeholder { color:#c9d1e0; }
.sr-only { position:absolute; width:1px; height:1px; padding:0; margin:-1px; overflow:hidden; clip:rect(0,0,0,0); white-space:nowrap; border:0; }
header .zone { margin-left:auto; font-size:.9rem; color:#fffc; } header .zone + form { margin-left:0; }
ul.deliveries { list-style:none; margin:0; padding:0; } ul.deliveries li + li { margin-top:.5rem; padding-top:.5rem; border-top:1px dashed var(--line); }
.counts { display:flex; gap:.6rem; flex-wrap:wrap; font-size:.85rem; margin-top:.15rem; } .count.zero { color:var(--muted); } .count.zero .status { background:#f3f4f7; color:var(--muted); }
td.today { font-size:1.15rem; font-weight:600; }
.health { display:inline-block; padding:0 .45rem; border-radius:.6rem; font-size:.8rem; font-weight:600; color:var(--ok); background:#e3f4ea; }
.health.bad { color:var(--bad); background:#fde8e6; } .health.warn { color:#6b3f00; background:#fff3df; }
table.facts th[scope=row] { width:10rem; } .card h3 { margin:0 0 .5rem; font-size:1rem; }
dl.stats { display:flex; gap:1rem; flex-wrap:wrap; margin:.5rem 0; } dl.stats > div { background:#fff; border:1px solid var(--line); border-radius:.5rem; padding:.5rem .9rem; min-width:10rem; }
dl.stats dt { font-size:.85rem; color:var(--muted); } dl.stats dd { margin:0; font-size:1.25rem; font-weight:600; } dl.stats dd.muted { font-size:.8rem; font-weight:400; }
.charts { display:flex; gap:1rem; flex-wrap:wrap; } .charts figure { margin:0; background:#fff; border:1px solid var(--line); border-radius:.5rem; padding:.4rem; }
svg.chart { display:block; max-width:100%; height:auto; } table.buckets { font-size:.85rem; } table.buckets caption { text-align:left; padding:.3rem 0; }
button:disabled, button.primary:disabled { cursor:not-allowed; background:#eef1f6; color:#5b6478; border-color:#b9c1cf; } .held { color:var(--warn); font-weight:600; } table.batch th[scope=row] { width:12rem; }
`;

const LAYOUT = hbs.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} — leadrelay</title><style>${CSS}</style><script src="/console/assets/tz.js" defer></script></head>
<body>
{{#if user}}<header><a class="brand" href="/console">leadrelay</a><a href="/console">Campaigns</a><a href="/console/audit">Audit</a>
<form class="search" method="get" action="/console/search" role="search"><label for="header-q" class="sr-only">Search leads by id, email or phone</label><input id="header-q" name="q" type="search" placeholder="Lead id, email or phone"></form>
<a class="zone" href="/console/time-zone?next={{here}}">Times in {{zone}}</a>
<form method="post" action="/console/logout"><span class="who">{{user.name}}{{#if (eq user.role 'viewer')}} · viewer{{/if}}</span> {{> csrf}}<button type="submit">Sign out</button></form></header>{{/if}}
<main>{{{body}}}</main></body></html>`);

const PAGES = {
  error: ERROR_PAGE,
  login: LOGIN_PAGE,
  campaigns: CAMPAIGNS_PAGE,
  tabs: TABS_PARTIAL,
  leads: LEADS_PAGE,
  lead: LEAD_PAGE,
  manual: MANUAL_PAGE,
  export: EXPORT_PAGE,
  batches: BATCHES_PAGE,
  batch: BATCH_PAGE,
  audit: AUDIT_PAGE,
  search: SEARCH_PAGE,
  replay: REPLAY_PAGE,
  delivery: DELIVERY_PAGE,
  timeZone: TIME_ZONE_PAGE,
};

hbs.registerPartial('tabs', PAGES.tabs);
// Every state-changing form carries its session's CSRF token (docs/api.md › Console › Forms).
hbs.registerPartial('csrf', `<input type="hidden" name="_csrf" value="{{@root.csrf}}">`);
// What a classifier captured from an answer, on a dispatch and on each attempt (docs/campaigns.md › Classifiers).
hbs.registerPartial('captured', `{{#if captured}}<p>Captured: {{#each captured}}<code>{{@key}}</code> {{this}}{{#unless @last}} · {{/unless}}{{/each}}</p>{{/if}}`);
const compiled = Object.fromEntries(Object.entries(PAGES).map(([k, v]) => [k, hbs.compile(v)])) as Record<keyof typeof PAGES, HandlebarsTemplateDelegate>;

export type ConsolePage = Exclude<keyof typeof PAGES, 'tabs'>;

/**
 * A page for `user` (none: the login, or an error before sign-in). Its body sees `csrf` for the
 * forms and `operator`, so a viewer is not offered buttons the server would refuse.
 */
export function renderPage(page: ConsolePage, title: string, context: Record<string, unknown>, user?: ConsoleUser, view: { zone?: string; here?: string } = {}): string {
  const zone = view.zone ?? 'UTC';
  const body = compiled[page]({ ...context, csrf: user?.csrf, operator: user?.role === 'operator' }, { data: { zone } });
  return LAYOUT({ title, user, csrf: user?.csrf, body, zone, here: encodeURIComponent(view.here ?? '/console') });
}

/** Answers with a page: never cached, no script but the console's own (tz.js), no framing, forms only to this site. */
export function sendPage(reply: FastifyReply, page: ConsolePage, title: string, context: Record<string, unknown>, user?: ConsoleUser): void {
  reply
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .type('text/html; charset=utf-8')
    .send(renderPage(page, title, context, user, { zone: consoleZone(reply.request), here: reply.request.url }));
}
