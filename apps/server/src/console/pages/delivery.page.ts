/** The console's delivery page (docs/api.md › Console › Delivery page), a handlebars template rendered by console.views.ts. */
export const DELIVERY_PAGE = `{{> tabs}}
<p><a href="/console/campaigns/{{campaign.id}}">← All deliveries and leads of {{campaign.name}}</a></p>
<h2>Delivery {{delivery.id}} <span class="muted">({{delivery.mode}}{{#if delivery.plugin}}, {{delivery.plugin}}{{/if}})</span></h2>
<div class="health-grid">
<section class="card" aria-labelledby="now-heading"><h3 id="now-heading">Now</h3>
<table class="facts"><tbody>
<tr><th scope="row">Breaker</th><td>{{#if breaker}}{{#if breaker.off}}off (this delivery has no breaker){{else}}<span class="health {{#if breaker.closed}}ok{{else}}bad{{/if}}">{{breaker.state}}</span>{{#if breaker.since}} since {{time breaker.since}}{{/if}} · {{breaker.failures}} retries in a row{{#if breaker.lastError}}<div>Last error: {{breaker.lastError}}</div>{{/if}}{{/if}}{{else}}<span class="muted">none ({{delivery.mode}} deliveries have none)</span>{{/if}}</td></tr>
<tr><th scope="row">Failing since</th><td>{{#if failingSince}}<span class="health bad">{{time failingSince.at}}</span> · {{failingSince.attempts}} failed or retried attempt(s) since the last answer{{#if failingSince.noSuccessInLookback}} (no attempt was answered in the last {{lookbackDays}} days){{/if}}{{else}}<span class="muted">not failing: no failed or retried attempt since the last answer</span>{{/if}}</td></tr>
<tr><th scope="row">State</th><td>{{#if paused}}<span class="status failed">paused</span>{{/if}}{{#each now}}<div>{{this}}</div>{{else}}{{#unless paused}}<span class="muted">nothing holds it back</span>{{/unless}}{{/each}}</td></tr>
<tr><th scope="row">Contract</th><td>{{#if inForce}}{{#each contract}}<div>{{this}}</div>{{else}}<span class="muted">no limits</span>{{/each}}{{else}}<span class="muted">not in force</span>{{/if}}</td></tr>
</tbody></table></section>
</div>
{{#each windows}}<section aria-labelledby="window-{{name}}"><h2 id="window-{{name}}">{{title}}</h2>
<p class="muted">{{time from}} to {{time to}}</p>
<dl class="stats"><div><dt>Success rate</dt><dd>{{successRate}}</dd><dd class="muted">{{delivered}} of {{attempts}} attempt(s) delivered</dd></div>
<div><dt>p50 duration</dt><dd>{{p50}}</dd></div><div><dt>p99 duration</dt><dd>{{p99}}</dd></div>
<div><dt>Volume</dt><dd>{{attempts}}</dd><dd class="muted">{{#each outcomes}}{{n}} {{outcome}}{{#unless @last}} · {{/unless}}{{/each}}</dd></div></dl>
<div class="charts"><figure>{{volume}}</figure><figure>{{latency}}</figure></div>
<details><summary>Numbers of each bucket</summary><table class="buckets"><caption class="muted">{{title}}</caption><thead><tr><th scope="col">From</th><th scope="col">Attempts</th>{{#each @root.outcomeNames}}<th scope="col">{{this}}</th>{{/each}}<th scope="col">Success</th><th scope="col">p50</th><th scope="col">p99</th></tr></thead><tbody>
{{#each rows}}<tr><td>{{time start}}</td><td>{{attempts}}</td>{{#each outcomes}}<td>{{this}}</td>{{/each}}<td>{{successRate}}</td><td>{{p50}}</td><td>{{p99}}</td></tr>{{/each}}
</tbody></table></details></section>{{/each}}
<h2 id="errors-heading">Last errors</h2>
<table aria-labelledby="errors-heading"><thead><tr><th scope="col">Time</th><th scope="col">Outcome</th><th scope="col">Answer</th><th scope="col">Reason</th><th scope="col">Lead</th></tr></thead><tbody>
{{#each errors}}<tr><td>{{time at}}</td><td><span class="status {{outcome}}">{{outcome}}</span></td><td>{{#if status}}{{status}}{{else}}<span class="muted">no answer</span>{{/if}}</td><td>{{reason}}</td>
<td>{{#if lead}}<a href="/console/leads/{{lead}}">Lead {{lead}}</a>{{else if batch}}<a href="/console/batches/{{batch}}">Batch {{batch}}</a>{{/if}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">No failed or retried attempt in the last {{lookbackDays}} days.</td></tr>{{/each}}</tbody></table>`;
