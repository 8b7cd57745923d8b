/** The console's leads page, a handlebars template rendered by console.views.ts. */
export const LEADS_PAGE = `{{> tabs}}
{{#if notice}}<p class="notice">{{notice}}</p>{{/if}}
{{#if deliveryStates.length}}<table class="contracts"><thead><tr><th>Delivery</th><th>Contract</th><th>Now</th><th></th></tr></thead><tbody>
{{#each deliveryStates}}<tr><td><a href="/console/campaigns/{{../campaign.id}}/deliveries/{{id}}">{{id}}</a> <span class="muted">({{mode}})</span></td><td>{{#each contract}}<div>{{this}}</div>{{else}}<span class="muted">no limits</span>{{/each}}</td>
<td>{{#if paused}}<span class="status failed">paused</span>{{/if}}{{#each now}}<div>{{this}}</div>{{/each}}</td>
<td>{{#if @root.operator}}<form method="post" action="/console/campaigns/{{../campaign.id}}/deliveries/{{id}}/{{#if paused}}resume{{else}}pause{{/if}}">{{> csrf}}<button type="submit">{{#if paused}}Resume{{else}}Pause{{/if}}</button></form>
{{#if (eq mode 'scheduled')}}<form method="post" style="margin-top:.3rem" action="/console/campaigns/{{../campaign.id}}/deliveries/{{id}}/run">{{> csrf}}<button type="submit">Run now</button></form>{{/if}}{{/if}}
<div style="margin-top:.3rem"><a href="/console/campaigns/{{../campaign.id}}/deliveries/{{id}}/replay">Retry failed…</a></div></td></tr>
{{#each buyers}}<tr class="buyer"><td><span class="muted">{{../id}} ›</span> buyer {{buyer}}</td><td>{{#each contract}}<div>{{this}}</div>{{else}}<span class="muted">no limits</span>{{/each}}</td>
<td>{{#if paused}}<span class="status failed">paused</span>{{/if}}{{#each now}}<div>{{this}}</div>{{/each}}</td>
<td>{{#if @root.operator}}<form method="post" action="/console/campaigns/{{@root.campaign.id}}/deliveries/{{pathId}}/{{#if paused}}resume{{else}}pause{{/if}}">{{> csrf}}<button type="submit" aria-label="{{#if paused}}Resume{{else}}Pause{{/if}} buyer {{buyer}}">{{#if paused}}Resume{{else}}Pause{{/if}}</button></form>{{/if}}</td></tr>{{/each}}{{/each}}
</tbody></table>{{/if}}
<form class="filters" method="get">
<div><label for="status">Status</label><select id="status" name="status"><option value="">any</option>{{#each statuses}}<option {{selected this ../filter.status}}>{{this}}</option>{{/each}}</select></div>
<div><label for="delivery">Delivery</label><select id="delivery" name="delivery"><option value="">any</option>{{#each campaign.deliveries}}<option {{selected id ../filter.delivery}}>{{id}}</option>{{/each}}</select></div>
<div><label for="since">Received from</label><input id="since" type="date" name="since" value="{{filter.since}}"></div>
<div><label for="until">Received to (inclusive)</label><input id="until" type="date" name="until" value="{{filter.until}}"></div>
<button type="submit">Filter</button> <a href="/console/campaigns/{{campaign.id}}">Clear</a></form>
<table><thead><tr><th>Received</th><th>Lead</th>{{#each campaign.deliveries}}<th>{{id}}</th>{{/each}}</tr></thead><tbody>
{{#each leads}}<tr><td>{{time receivedAt}}</td><td><a href="/console/leads/{{id}}">{{summary}}</a></td>
{{#each dispatches}}<td><span class="status {{status}}">{{status}}</span>{{#if reason}}<div class="muted">{{reason}}</div>{{/if}}</td>{{/each}}</tr>
{{else}}<tr><td colspan="9" class="muted">No leads match.</td></tr>{{/each}}</tbody></table>
{{#if nextCursor}}<p><a href="?{{nextQuery}}">Older leads →</a></p>{{/if}}`;
