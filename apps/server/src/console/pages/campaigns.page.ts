/** The console's campaigns page, a handlebars template rendered by console.views.ts. */
export const CAMPAIGNS_PAGE = `<h1>Campaigns</h1>
<table><thead><tr><th>Campaign</th><th>Deliveries</th><th>Pending dispatches</th><th>Version</th><th></th></tr></thead><tbody>
{{#each campaigns}}<tr><td><a href="/console/campaigns/{{id}}">{{name}}</a><div class="muted">{{id}}</div></td>
<td>{{#each deliveries}}<div>{{id}} <span class="muted">({{plugin}}: {{summary}})</span></div>{{/each}}</td>
<td>{{pending}}</td><td><code>{{version}}</code></td><td>{{#if archived}}<span class="status">archived</span>{{/if}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">No campaigns yet: add a file to campaigns/.</td></tr>{{/each}}</tbody></table>`;
