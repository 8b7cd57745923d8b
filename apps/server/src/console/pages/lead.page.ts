/** The console's lead page, a handlebars template rendered by console.views.ts. */
export const LEAD_PAGE = `<h1>{{summary}} <span class="muted lead-id">lead {{lead.id}}</span></h1>
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
{{else}}<p class="muted">No attempts yet.</p>{{/each}}</div>{{/each}}`;
