/** The console's batches page, a handlebars template rendered by console.views.ts. */
export const BATCHES_PAGE = `{{> tabs}}
{{#if notice}}<p class="notice">{{notice}}</p>{{/if}}
<p class="muted">Every batch of this campaign (downloads, scheduled sends, uploads), newest first. A file downloads again exactly as it was first made.</p>
<table><thead><tr><th>Made</th><th>Mode</th><th>Delivery</th><th>Leads</th><th>Status</th><th>File</th><th></th></tr></thead><tbody>
{{#each batches}}<tr><td><a href="/console/batches/{{id}}">{{time createdAt}}</a></td><td>{{mode}}</td><td>{{delivery}}{{#if plugin}} <span class="muted">({{plugin}})</span>{{/if}}</td><td>{{leadCount}}</td>
<td><span class="status {{status}}">{{status}}</span>{{#if reason}}<div class="muted">{{reason}}</div>{{/if}}</td>
<td><a href="/console/batches/{{id}}/file">{{options.fileName}}</a></td>
<td>{{#if (eq status 'failed')}}{{#if @root.operator}}<form method="post" action="/console/batches/{{id}}/retry">{{> csrf}}<button type="submit">Retry</button></form>{{/if}}{{/if}}</td></tr>
{{else}}<tr><td colspan="7" class="muted">No batches yet.</td></tr>{{/each}}</tbody></table>`;
