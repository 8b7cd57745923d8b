/** The console's search page (docs/api.md › Console): leads of every campaign by id, email or phone. */
export const SEARCH_PAGE = `<h1>Search leads</h1>
<form class="filters" method="get" action="/console/search" role="search">
<div><label for="q">Lead id, email or phone</label><input id="q" name="q" value="{{q}}" size="40" aria-describedby="q-hint" required></div>
<button type="submit">Search</button></form>
<p class="hint" id="q-hint">Every campaign is searched. A phone number may be written any way its field accepts, e.g. (512) 555-0100 or +1 512.555.0100.</p>
{{#if error}}<p class="error" role="alert">{{error}}</p>{{/if}}
{{#if searched}}<h2>{{#if items.length}}{{items.length}} lead(s){{else}}No lead{{/if}} with this {{matchedBy}}</h2>
<table><thead><tr><th>Received</th><th>Campaign</th><th>Lead</th><th>Deliveries</th></tr></thead><tbody>
{{#each items}}<tr><td>{{time receivedAt}}</td><td><a href="/console/campaigns/{{campaign}}">{{campaignName}}</a></td><td><a href="/console/leads/{{id}}">{{summary}}</a></td>
<td>{{#each dispatches}}<div>{{delivery}} <span class="status {{status}}">{{status}}</span></div>{{/each}}</td></tr>
{{else}}<tr><td colspan="4" class="muted">Nothing found.</td></tr>{{/each}}</tbody></table>{{/if}}`;
