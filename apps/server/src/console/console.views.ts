import type { FastifyReply } from 'fastify';
import Handlebars from 'handlebars';
import type { ConsoleUser } from './console-session.store';

/**
 * The console's pages: server-rendered handlebars with HTML escaping, plain CSS, no client script.
 * Kept as strings beside the code so the build ships them with no asset step.
 */
const hbs = Handlebars.create();

hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('time', (value: unknown) => (value ? new Date(String(value)).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : ''));
hbs.registerHelper('json', (value: unknown) => JSON.stringify(value, null, 2));
hbs.registerHelper('selected', (a: unknown, b: unknown) => (a === b ? 'selected' : ''));
hbs.registerHelper('checked', (a: unknown, b: unknown) => (a === b ? 'checked' : ''));
hbs.registerHelper('plus1', (n: unknown) => Number(n) + 1);
hbs.registerHelper('upper', (v: unknown) => String(v ?? '').toUpperCase());

const CSS = `
:root { --ink:#1d2433; --muted:#5b6478; --line:#dde2ea; --bg:#f6f7fb; --accent:#2456d6; --ok:#1b7f4b; --bad:#b42318; --warn:#a15c00; }
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
`;

const LAYOUT = hbs.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} — leadrelay</title><style>${CSS}</style></head>
<body>
{{#if user}}<header><a class="brand" href="/console">leadrelay</a><a href="/console">Campaigns</a><a href="/console/audit">Audit</a>
<form method="post" action="/console/logout"><span class="who">{{user.name}}{{#if (eq user.role 'viewer')}} · viewer{{/if}}</span> {{> csrf}}<button type="submit">Sign out</button></form></header>{{/if}}
<main>{{{body}}}</main></body></html>`);

const PAGES = {
  error: `<div class="card"><h1>{{title}}</h1><p>{{message}}</p><p><a href="/console">← Campaigns</a></p></div>`,

  login: `<div class="login card"><h1>leadrelay console</h1>
{{#if error}}<p class="error">{{error}}</p>{{/if}}
<form method="post" action="/console/login"><label for="name">Token name</label>
<input id="name" name="name" autocomplete="username" style="width:100%" value="{{name}}">
<p class="hint">The name before the token in ADMIN_TOKENS (<code>name:token</code>); leave it empty for a token written without one.</p>
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required style="width:100%">
<input type="hidden" name="next" value="{{next}}"><p><button class="primary" type="submit">Sign in</button></p></form></div>`,

  campaigns: `<h1>Campaigns</h1>
<table><thead><tr><th>Campaign</th><th>Deliveries</th><th>Pending dispatches</th><th>Version</th><th></th></tr></thead><tbody>
{{#each campaigns}}<tr><td><a href="/console/campaigns/{{id}}">{{name}}</a><div class="muted">{{id}}</div></td>
<td>{{#each deliveries}}<div>{{id}} <span class="muted">({{plugin}}: {{summary}})</span></div>{{/each}}</td>
<td>{{pending}}</td><td><code>{{version}}</code></td><td>{{#if archived}}<span class="status">archived</span>{{/if}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">No campaigns yet: add a file to campaigns/.</td></tr>{{/each}}</tbody></table>`,

  tabs: `<h1>{{campaign.name}} <span class="muted">· {{campaign.id}}</span></h1>
<nav class="tabs"><a href="/console/campaigns/{{campaign.id}}" class="{{#if (eq tab 'leads')}}on{{/if}}">Leads</a>
<a href="/console/campaigns/{{campaign.id}}/manual-delivery" class="{{#if (eq tab 'manual')}}on{{/if}}">Tools → Manual Delivery</a>
<a href="/console/campaigns/{{campaign.id}}/export" class="{{#if (eq tab 'export')}}on{{/if}}">Export</a>
<a href="/console/campaigns/{{campaign.id}}/batches" class="{{#if (eq tab 'batches')}}on{{/if}}">Batches</a></nav>`,

  leads: `{{> tabs}}
{{#if notice}}<p class="notice">{{notice}}</p>{{/if}}
{{#if deliveryStates.length}}<table class="contracts"><thead><tr><th>Delivery</th><th>Contract</th><th>Now</th><th></th></tr></thead><tbody>
{{#each deliveryStates}}<tr><td>{{id}} <span class="muted">({{mode}})</span></td><td>{{#each contract}}<div>{{this}}</div>{{else}}<span class="muted">no limits</span>{{/each}}</td>
<td>{{#if paused}}<span class="status failed">paused</span>{{/if}}{{#each now}}<div>{{this}}</div>{{/each}}</td>
<td>{{#if @root.operator}}<form method="post" action="/console/campaigns/{{../campaign.id}}/deliveries/{{id}}/{{#if paused}}resume{{else}}pause{{/if}}">{{> csrf}}<button type="submit">{{#if paused}}Resume{{else}}Pause{{/if}}</button></form>
{{#if (eq mode 'scheduled')}}<form method="post" style="margin-top:.3rem" action="/console/campaigns/{{../campaign.id}}/deliveries/{{id}}/run">{{> csrf}}<button type="submit">Run now</button></form>{{/if}}{{/if}}</td></tr>{{/each}}
</tbody></table>{{/if}}
<form class="filters" method="get">
<div><label for="status">Status</label><select id="status" name="status"><option value="">any</option>{{#each statuses}}<option {{selected this ../filter.status}}>{{this}}</option>{{/each}}</select></div>
<div><label for="delivery">Delivery</label><select id="delivery" name="delivery"><option value="">any</option>{{#each campaign.deliveries}}<option {{selected id ../filter.delivery}}>{{id}}</option>{{/each}}</select></div>
<div><label for="since">Received from</label><input id="since" type="date" name="since" value="{{filter.since}}"></div>
<div><label for="until">Received to (inclusive)</label><input id="until" type="date" name="until" value="{{filter.until}}"></div>
<button type="submit">Filter</button> <a href="/console/campaigns/{{campaign.id}}">Clear</a></form>
<table><thead><tr><th>Received</th><th>Lead</th>{{#each campaign.deliveries}}<th>{{id}}</th>{{/each}}</tr></thead><tbody>
{{#each leads}}<tr><td>{{time receivedAt}}</td><td><a href="/console/leads/{{id}}">{{summary}}</a></td>
{{#each dispatches}}<td><span class="status {{status}}">{{status}}</span>{{#if reason}}<div class="muted">{{reason}}</div>{{/if}}</td>{{/each}}</tr>
{{else}}<tr><td colspan="9" class="muted">No leads match.</td></tr>{{/each}}</tbody></table>
{{#if nextCursor}}<p><a href="?{{nextQuery}}">Older leads →</a></p>{{/if}}`,

  lead: `<h1>{{summary}} <span class="muted lead-id">lead {{lead.id}}</span></h1>
<p><a href="/console/campaigns/{{lead.campaign}}">← {{campaign.name}}</a> · received {{time lead.receivedAt}} · campaign version <code>{{lead.campaignVersion}}</code></p>
{{#if notice}}<p class="notice">{{notice}}</p>{{/if}}
<div class="card"><h2>Data</h2><table><tbody>{{#each fields}}<tr><th style="width:30%">{{name}}</th><td>{{#if (eq value '')}}<span class="empty">—</span>{{else}}{{value}}{{/if}}</td></tr>{{/each}}</tbody></table></div>
{{#each lead.dispatches}}<div class="card"><h2>{{delivery}} <span class="status {{status}}">{{status}}</span></h2>
{{#if reason}}<p>Reason: {{reason}}</p>{{/if}}{{#if reference}}<p>Buyer reference: {{reference}}</p>{{/if}}{{> captured}}{{#if batch}}<p>Delivered in a batch: <a href="/console/batches/{{batch}}/file">download that file again</a></p>{{/if}}
{{#if retryable}}{{#if @root.operator}}<form method="post" action="/console/dispatches/{{id}}/retry">{{> csrf}}<button class="primary" type="submit">Retry this dispatch</button></form>{{/if}}{{/if}}
{{#each attempts}}<h2 style="font-size:1rem">Attempt {{plus1 @index}} · {{time at}} · {{durationMs}} ms · <span class="status {{outcome}}">{{outcome}}</span></h2>
{{#if reason}}<p>Reason: {{reason}}</p>{{/if}}{{> captured}}{{#if error}}<p class="error">{{error}}</p>{{/if}}
{{#if request}}<details><summary>Request</summary><pre>{{json request}}</pre></details>{{/if}}
{{#if response}}<details><summary>Response</summary><pre>{{json response}}</pre></details>{{/if}}
{{else}}<p class="muted">No attempts yet.</p>{{/each}}</div>{{/each}}`,

  manual: `{{> tabs}}
{{#if error}}<p class="error">{{error}}</p>{{/if}}
{{#if deliveries.length}}
{{#unless operator}}<p class="notice">You are signed in as a viewer: you can see what each file holds, but only an operator can deliver.</p>{{/unless}}
{{#if operator}}<div class="card"><p>Downloading the file <strong>delivers</strong> the leads: every pending lead of the chosen delivery
moves to <em>delivered</em>. The file is kept: if a download breaks, get it again from <a href="/console/campaigns/{{campaign.id}}/batches">Batches</a>.</p>
<form method="post" action="/console/campaigns/{{campaign.id}}/manual-delivery">{{> csrf}}
<label for="delivery">Delivery</label><select id="delivery" name="delivery">{{#each deliveries}}<option value="{{id}}">{{id}} — {{pending}} pending</option>{{/each}}</select>
<div class="choices">
<fieldset><legend>Format</legend><label><input type="radio" name="format" value="csv" {{checked defaults.format 'csv'}}> CSV (comma-separated)</label>
<label><input type="radio" name="format" value="tsv" {{checked defaults.format 'tsv'}}> Tab-delimited</label></fieldset>
<fieldset><legend>Options</legend><label><input type="checkbox" name="quote" value="all" {{checked defaults.quote 'all'}}> Quote every field</label>
<label><input type="checkbox" name="header" value="true" {{checked defaults.header true}}> Include a header row</label></fieldset>
</div>
<div class="actions"><button class="primary" type="submit">Download and mark delivered</button>
<span class="hint">Afterwards the leads show as delivered on the <a href="/console/campaigns/{{campaign.id}}?status=delivered">Leads</a> tab.</span></div></form></div>{{/if}}
<h2>What each file holds</h2>
<table class="files"><thead><tr><th>Delivery</th><th>Pending now</th><th>Usual format</th><th>Columns, in order</th></tr></thead><tbody>
{{#each deliveries}}<tr><td>{{id}}</td><td>{{pending}}</td><td>{{upper format}}{{#if header}}, header row{{/if}}{{#if (eq quote 'all')}}, every field quoted{{/if}}</td><td><code>{{columns}}</code></td></tr>{{/each}}
</tbody></table>
{{/if}}`,

  export: `{{> tabs}}
<div class="card"><p>Export downloads leads in any status, with every field and each delivery's status. It <strong>changes nothing</strong>: no lead is marked delivered.</p>
<form method="get" action="/console/campaigns/{{campaign.id}}/export/file">
<div class="filters"><div><label for="status">Status</label><select id="status" name="status"><option value="">any</option>{{#each statuses}}<option>{{this}}</option>{{/each}}</select></div>
<div><label for="delivery">Delivery</label><select id="delivery" name="delivery"><option value="">any</option>{{#each campaign.deliveries}}<option>{{id}}</option>{{/each}}</select></div>
<div><label for="since">Received from</label><input id="since" type="date" name="since"></div><div><label for="until">Received to (inclusive)</label><input id="until" type="date" name="until"></div></div>
<div class="choices">
<fieldset><legend>Format</legend><label><input type="radio" name="format" value="csv" checked> CSV (comma-separated)</label><label><input type="radio" name="format" value="tsv"> Tab-delimited</label></fieldset>
<fieldset><legend>Options</legend><label><input type="checkbox" name="quote" value="all"> Quote every field</label>
<label><input type="checkbox" name="header" value="true" checked> Include a header row</label></fieldset>
</div>
<div class="actions"><button class="primary" type="submit">Export</button></div></form></div>`,

  batches: `{{> tabs}}
{{#if notice}}<p class="notice">{{notice}}</p>{{/if}}
<p class="muted">Every batch of this campaign (downloads, scheduled sends, uploads), newest first. A file downloads again exactly as it was first made.</p>
<table><thead><tr><th>Made</th><th>Mode</th><th>Delivery</th><th>Leads</th><th>Status</th><th>File</th><th></th></tr></thead><tbody>
{{#each batches}}<tr><td>{{time createdAt}}</td><td>{{mode}}</td><td>{{delivery}}{{#if plugin}} <span class="muted">({{plugin}})</span>{{/if}}</td><td>{{leadCount}}</td>
<td><span class="status {{status}}">{{status}}</span>{{#if reason}}<div class="muted">{{reason}}</div>{{/if}}</td>
<td><a href="/console/batches/{{id}}/file">{{options.fileName}}</a></td>
<td>{{#if (eq status 'failed')}}{{#if @root.operator}}<form method="post" action="/console/batches/{{id}}/retry">{{> csrf}}<button type="submit">Retry</button></form>{{/if}}{{/if}}</td></tr>
{{else}}<tr><td colspan="7" class="muted">No batches yet.</td></tr>{{/each}}</tbody></table>`,

  audit: `<h1>Audit</h1>
<p class="muted">What operators did — deliveries, retries, pauses, runs, erasures — newest first, with the name of the token that did it.</p>
<table class="audit"><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Campaign</th><th>Delivery</th><th>Leads</th><th>Detail</th></tr></thead><tbody>
{{#each items}}<tr><td>{{time at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{#if campaign}}<a href="/console/campaigns/{{campaign}}">{{campaign}}</a>{{/if}}</td><td>{{delivery}}</td><td>{{leadCount}}</td>
<td>{{#each detail}}<div><span class="muted">{{@key}}</span> {{this}}</div>{{/each}}</td></tr>
{{else}}<tr><td colspan="7" class="muted">Nothing recorded yet.</td></tr>{{/each}}</tbody></table>
{{#if nextCursor}}<p><a href="/console/audit?cursor={{nextCursor}}">Older →</a></p>{{/if}}`,
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
export function renderPage(page: ConsolePage, title: string, context: Record<string, unknown>, user?: ConsoleUser): string {
  const body = compiled[page]({ ...context, csrf: user?.csrf, operator: user?.role === 'operator' });
  return LAYOUT({ title, user, csrf: user?.csrf, body });
}

/** Answers with a page: never cached, no script, no framing, forms only to this site. */
export function sendPage(reply: FastifyReply, page: ConsolePage, title: string, context: Record<string, unknown>, user?: ConsoleUser): void {
  reply
    .header('Cache-Control', 'no-store')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .type('text/html; charset=utf-8')
    .send(renderPage(page, title, context, user));
}
