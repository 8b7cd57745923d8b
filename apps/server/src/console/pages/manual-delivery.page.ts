/**
 * The console's manual page, a handlebars template rendered by console.views.ts. One form per
 * on-demand delivery, each with its own pending count, defaults and button: without script a
 * button cannot follow a choice in a select, so each delivery's button is on or off by its own count.
 */
export const MANUAL_PAGE = `{{> tabs}}
{{#if error}}<p class="error" role="alert">{{error}}</p>{{/if}}
{{#if deliveries.length}}
{{#unless operator}}<p class="notice">You are signed in as a viewer: you can see what each file holds, but only an operator can deliver.</p>{{/unless}}
{{#if operator}}<p>Downloading a file <strong>delivers</strong> its leads: every pending lead of that delivery moves to <em>delivered</em>.
The next page says what was delivered and offers the file; it is kept, so if a download breaks, get it again there or from <a href="/console/campaigns/{{campaign.id}}/batches">Batches</a>.</p>
{{#each deliveries}}<section class="card" aria-labelledby="delivery-{{id}}">
<h2 id="delivery-{{id}}">{{id}}</h2>
<p id="pending-{{id}}" class="pending-count"><strong>{{pending}}</strong> lead(s) pending</p>
<form method="post" action="/console/campaigns/{{@root.campaign.id}}/manual-delivery">{{> csrf}}<input type="hidden" name="delivery" value="{{id}}">
<div class="choices">
<fieldset><legend>Format</legend><label><input type="radio" name="format" value="csv" {{checked format 'csv'}}> CSV (comma-separated)</label>
<label><input type="radio" name="format" value="tsv" {{checked format 'tsv'}}> Tab-delimited</label></fieldset>
<fieldset><legend>Options</legend><label><input type="checkbox" name="quote" value="all" {{checked quote 'all'}}> Quote every field</label>
<label><input type="checkbox" name="header" value="true" {{checked header true}}> Include a header row</label></fieldset>
</div>
<div class="actions"><button class="primary" type="submit" aria-describedby="pending-{{id}}{{#if held}} held-{{id}}{{/if}}"{{#if held}} disabled{{/if}}>Download and mark delivered</button>
{{#if held}}<span id="held-{{id}}" class="held">{{held}}</span>{{else}}<span class="hint">Afterwards the leads show as delivered on the <a href="/console/campaigns/{{@root.campaign.id}}?status=delivered">Leads</a> tab.</span>{{/if}}</div></form></section>
{{/each}}{{/if}}
<h2>What each file holds</h2>
<table class="files"><thead><tr><th>Delivery</th><th>Pending now</th><th>Usual format</th><th>Columns, in order</th></tr></thead><tbody>
{{#each deliveries}}<tr><td>{{id}}</td><td>{{pending}}</td><td>{{upper format}}{{#if header}}, header row{{/if}}{{#if (eq quote 'all')}}, every field quoted{{/if}}</td><td><code>{{columns}}</code></td></tr>{{/each}}
</tbody></table>
{{/if}}`;
