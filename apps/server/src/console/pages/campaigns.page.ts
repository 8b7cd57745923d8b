/** The console's campaigns page (docs/api.md › Console › Campaign list), a handlebars template rendered by console.views.ts. */
export const CAMPAIGNS_PAGE = `<h1>Campaigns</h1>
<table class="overview"><thead><tr><th scope="col">Campaign</th><th scope="col">Leads today</th><th scope="col">Deliveries: dispatches by status</th><th scope="col">Version</th></tr></thead><tbody>
{{#each campaigns}}<tr><td><a href="/console/campaigns/{{id}}">{{name}}</a><div class="muted">{{id}}</div>{{#if archived}}<span class="status">archived</span>{{/if}}</td>
<td class="today">{{leadsToday}}</td>
<td><ul class="deliveries">{{#each deliveries}}<li><div><a href="/console/campaigns/{{../id}}/deliveries/{{id}}">{{id}}</a> <span class="muted">({{plugin}}: {{summary}})</span>
{{#if health}} <span class="health {{healthClass}}">{{health}}</span>{{/if}}</div>
<div class="counts">{{#each counts}}<span class="count{{#unless n}} zero{{/unless}}" data-status="{{status}}"><span class="status {{status}}">{{status}}</span> {{n}}</span>{{/each}}</div></li>{{/each}}</ul></td>
<td><code>{{version}}</code></td></tr>
{{else}}<tr><td colspan="4" class="muted">No campaigns yet: add a file to campaigns/.</td></tr>{{/each}}</tbody></table>
<p class="hint">Leads today: received since midnight {{@zone}}. Counts: every dispatch of the delivery so far, by its status now.</p>`;
