/**
 * The console's batch page, a handlebars template rendered by console.views.ts: where
 * **Download and mark delivered** lands. It says what the batch delivered and offers its file by
 * a link (no script, so the file is not started on its own), with the delivery's pending count now.
 */
export const BATCH_PAGE = `{{> tabs}}
<section class="card" aria-labelledby="batch-result">
<h2 id="batch-result">Batch <code>{{batch.id}}</code></h2>
<p class="{{#if (eq outcome 'failed')}}error{{else}}notice{{/if}}" role="status">
{{#if (eq outcome 'downloaded')}}Delivered <strong>{{batch.leadCount}}</strong> lead(s) of delivery <strong>{{batch.delivery}}</strong> in batch <code>{{batch.id}}</code>.{{/if}}
{{#if (eq outcome 'sent')}}Sent <strong>{{batch.leadCount}}</strong> lead(s) of delivery <strong>{{batch.delivery}}</strong> in batch <code>{{batch.id}}</code>: delivered.{{/if}}
{{#if (eq outcome 'sending')}}Batch <code>{{batch.id}}</code> holds <strong>{{batch.leadCount}}</strong> lead(s) of delivery <strong>{{batch.delivery}}</strong> and is being sent: reload to see its status.{{/if}}
{{#if (eq outcome 'failed')}}Batch <code>{{batch.id}}</code> with <strong>{{batch.leadCount}}</strong> lead(s) of delivery <strong>{{batch.delivery}}</strong> failed{{#if batch.reason}}: {{batch.reason}}{{/if}}. Retry it from <a href="/console/campaigns/{{campaign.id}}/batches">Batches</a>.{{/if}}
</p>
<p class="file-link"><a href="/console/batches/{{batch.id}}/file" download>Download {{batch.options.fileName}}</a></p>
<p class="hint">{{upper batch.options.format}}{{#if batch.options.header}}, header row{{/if}}{{#if (eq batch.options.quote 'all')}}, every field quoted{{/if}}.
{{#if (eq outcome 'downloaded')}}The file is the delivery; it downloads the same bytes every time, here or from Batches.{{else}}The same file the buyer gets, the same bytes every time.{{/if}}</p>
<p><strong>{{batch.delivery}}</strong> has <strong class="pending-now">{{pending}}</strong> lead(s) pending now.</p>
</section>
<table class="batch"><tbody>
<tr><th scope="row">Made</th><td>{{time batch.createdAt}}</td></tr>
<tr><th scope="row">Mode</th><td>{{batch.mode}}</td></tr>
<tr><th scope="row">Delivery</th><td>{{batch.delivery}}{{#if batch.plugin}} <span class="muted">({{batch.plugin}})</span>{{/if}}</td></tr>
<tr><th scope="row">Status</th><td><span class="status {{batch.status}}">{{batch.status}}</span></td></tr>
<tr><th scope="row">Leads</th><td>{{batch.leadCount}}</td></tr>
</tbody></table>
<p class="actions">{{#if (eq batch.mode 'on-demand')}}<a href="/console/campaigns/{{campaign.id}}/manual-delivery">Back to Manual Delivery</a>{{/if}}
<a href="/console/campaigns/{{campaign.id}}/batches">All batches of {{campaign.name}}</a></p>`;
