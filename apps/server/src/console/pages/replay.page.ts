/**
 * The console's bulk replay page (docs/api.md › Bulk replay): choose a status and a time range,
 * see how many dispatches that takes, then retry them.
 */
export const REPLAY_PAGE = `{{> tabs}}
<h2>Retry {{delivery}}'s dispatches</h2>
<div class="card"><form method="get" action="/console/campaigns/{{campaign.id}}/deliveries/{{delivery}}/replay">
<div class="filters"><div><label for="status">Status</label><select id="status" name="status">{{#each statuses}}<option {{selected this ../status}}>{{this}}</option>{{/each}}</select></div>
<div><label for="since">Reached from ({{zone}})</label><input id="since" type="datetime-local" name="since" value="{{since}}"></div>
<div><label for="until">Reached before ({{zone}})</label><input id="until" type="datetime-local" name="until" value="{{until}}"></div>
<button type="submit">Count</button></div>
<p class="hint">Counts the dispatches of {{delivery}} that reached this status in the range (both ends optional). Nothing changes until you retry.</p></form></div>
{{#if error}}<p class="error" role="alert">{{error}}</p>{{/if}}
{{#if counted}}<div class="card"><p role="status"><strong>{{count}}</strong> {{status}} dispatch(es) of {{delivery}} match{{#if range}} ({{range}}){{/if}}.</p>
{{#if operator}}<form method="post" action="/console/campaigns/{{campaign.id}}/deliveries/{{delivery}}/replay">{{> csrf}}
<input type="hidden" name="status" value="{{status}}"><input type="hidden" name="since" value="{{since}}"><input type="hidden" name="until" value="{{until}}">
<button class="primary" type="submit" {{#unless count}}disabled aria-describedby="nothing-to-retry"{{/unless}}>Retry {{count}} dispatch(es)</button>
{{#unless count}}<span class="hint" id="nothing-to-retry">Nothing to retry.</span>{{/unless}}</form>
{{else}}<p class="notice">You are signed in as a viewer: only an operator can retry.</p>{{/if}}</div>{{/if}}`;
