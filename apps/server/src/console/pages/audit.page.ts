/** The console's audit page, a handlebars template rendered by console.views.ts. */
export const AUDIT_PAGE = `<h1>Audit</h1>
<p class="muted">What operators did — deliveries, retries, pauses, runs, erasures — newest first, with the name of the token that did it.</p>
<table class="audit"><thead><tr><th>When</th><th>Who</th><th>Action</th><th>Campaign</th><th>Delivery</th><th>Leads</th><th>Detail</th></tr></thead><tbody>
{{#each items}}<tr><td>{{time at}}</td><td>{{actor}}</td><td>{{action}}</td><td>{{#if campaign}}<a href="/console/campaigns/{{campaign}}">{{campaign}}</a>{{/if}}</td><td>{{delivery}}</td><td>{{leadCount}}</td>
<td>{{#each detail}}<div><span class="muted">{{@key}}</span> {{this}}</div>{{/each}}</td></tr>
{{else}}<tr><td colspan="7" class="muted">Nothing recorded yet.</td></tr>{{/each}}</tbody></table>
{{#if nextCursor}}<p><a href="/console/audit?cursor={{nextCursor}}">Older →</a></p>{{/if}}`;
