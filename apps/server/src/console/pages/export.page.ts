/** The console's export page, a handlebars template rendered by console.views.ts. */
export const EXPORT_PAGE = `{{> tabs}}
<div class="card"><p>Export downloads leads in any status, with every field and each delivery's status. It <strong>changes nothing</strong>: no lead is marked delivered.</p>
<form method="get" action="/console/campaigns/{{campaign.id}}/export/file">
<div class="filters"><div><label for="status">Status</label><select id="status" name="status" aria-describedby="status-hint"><option value="">any</option>{{#each statuses}}<option>{{this}}</option>{{/each}}</select><p class="hint" id="status-hint">A lead matches when one of its deliveries has this status; pick a delivery too to ask about one buyer.</p></div>
<div><label for="delivery">Delivery</label><select id="delivery" name="delivery"><option value="">any</option>{{#each campaign.deliveries}}<option>{{id}}</option>{{/each}}</select></div>
<div><label for="since">Received from</label><input id="since" type="date" name="since"></div><div><label for="until">Received to (inclusive)</label><input id="until" type="date" name="until"></div></div>
<div class="choices">
<fieldset><legend>Format</legend><label><input type="radio" name="format" value="csv" checked> CSV (comma-separated)</label><label><input type="radio" name="format" value="tsv"> Tab-delimited</label></fieldset>
<fieldset><legend>Options</legend><label><input type="checkbox" name="quote" value="all"> Quote every field</label>
<label><input type="checkbox" name="header" value="true" checked> Include a header row</label></fieldset>
</div>
<div class="actions"><button class="primary" type="submit">Export</button></div></form></div>`;
