/** The console's time zone page (docs/api.md › Console › Time zone), a handlebars template rendered by console.views.ts. */
export const TIME_ZONE_PAGE = `<h1>Time zone</h1>
<div class="card"><p>The console shows every time in <strong>{{zone}}</strong>{{#if zoneNow}} (now {{zoneNow}}){{/if}}.</p>
<form method="post" action="/console/time-zone">{{> csrf}}<input type="hidden" name="next" value="{{next}}">
<label for="zone">Show times in</label>
<select id="zone" name="zone"><option value="">My browser's time zone</option>{{#each zones}}<option {{selected this ../zone}}>{{this}}</option>{{/each}}</select>
<p class="hint">"My browser's time zone" is learned by a small script of this site; without script the console shows UTC.</p>
<div class="actions"><button type="submit" class="primary">Save</button> <a href="{{next}}">Back</a></div></form></div>`;
