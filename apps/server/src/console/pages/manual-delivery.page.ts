/** The console's manual page, a handlebars template rendered by console.views.ts. */
export const MANUAL_PAGE = `{{> tabs}}
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
{{/if}}`;
