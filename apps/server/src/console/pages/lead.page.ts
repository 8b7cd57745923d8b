/** The console's lead page, a handlebars template rendered by console.views.ts; attempts come from attempt.view.ts. */
export const LEAD_PAGE = `{{#*inline "message"}}<details{{#if open}} open{{/if}}><summary>{{title}} <code>{{message.line}}</code></summary>
{{#if message.headers.length}}<table class="headers"><thead><tr><th scope="col">Header</th><th scope="col">Value</th></tr></thead><tbody>{{#each message.headers}}<tr><th scope="row">{{name}}</th><td>{{#if redacted}}<span class="badge" title="not stored: the value is a secret">redacted</span>{{else}}{{value}}{{/if}}</td></tr>{{/each}}</tbody></table>{{/if}}
{{#with message.body}}<p class="body-kind">Body · {{label}}{{#if note}} · {{note}}{{/if}}{{#if ../message.cut}} · cut short{{/if}}</p>{{#if pairs}}<table class="form-body"><thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead><tbody>{{#each pairs}}<tr><th scope="row">{{name}}</th><td>{{value}}</td></tr>{{/each}}</tbody></table>{{else}}<pre class="body {{kind}}">{{text}}</pre>{{/if}}{{else}}<p class="body-kind">No body.</p>{{/with}}</details>{{/inline}}
<h1>{{summary}} <span class="muted lead-id">lead {{lead.id}}</span></h1>
<p><a href="/console/campaigns/{{lead.campaign}}">← {{campaign.name}}</a> · received {{time lead.receivedAt}} · campaign version <code>{{lead.campaignVersion}}</code></p>
{{#if notice}}<p class="notice">{{notice}}</p>{{/if}}
<div class="card"><h2>Data</h2><table><tbody>{{#each fields}}<tr><th style="width:30%">{{name}}</th><td>{{#if (eq value '')}}<span class="empty">—</span>{{else}}{{value}}{{/if}}</td></tr>{{/each}}</tbody></table></div>
{{#each lead.dispatches}}<div class="card"><h2>{{delivery}} <span class="status {{status}}">{{status}}</span></h2>
{{#with next}}<p class="next-attempt">Next attempt {{#if at}}at {{time at}}{{else}}{{when}}{{/if}}{{#if heldBy}} — held by <strong>{{heldBy}}</strong>: {{why}}{{else}}.{{/if}}</p>{{/with}}
{{#if reason}}<p>Reason: {{reason}}</p>{{/if}}{{#if reference}}<p>Buyer reference: {{reference}}</p>{{/if}}{{> captured}}{{#if batch}}<p>Delivered in a batch: <a href="/console/batches/{{batch}}/file">download that file again</a></p>{{/if}}
{{#with sale}}<h3>Sale{{#with winner}}: sold to <strong>{{buyer}}</strong> for {{price}}{{/with}}</h3>
<table class="bids"><thead><tr><th scope="col">Buyer</th><th scope="col">Ping</th><th scope="col">Bid</th><th scope="col">Reference</th><th scope="col">Post</th></tr></thead><tbody>{{#each bids}}<tr><th scope="row">{{buyer}}{{#if winner}} <span class="status delivered">winner</span>{{/if}}</th><td>{{ping}}</td><td>{{#if bid}}{{bid}}{{else}}—{{/if}}</td><td>{{#if reference}}<code>{{reference}}</code>{{else}}—{{/if}}</td><td>{{#if post}}{{post}}{{else}}—{{/if}}</td></tr>{{/each}}</tbody></table>{{/with}}
{{#if retryable}}{{#if @root.operator}}<form method="post" action="/console/dispatches/{{id}}/retry">{{> csrf}}<button class="primary" type="submit">Retry this dispatch</button></form>{{/if}}{{/if}}
{{#each attempts}}<h3 class="attempt">Attempt {{number}}{{#if sale}} · {{sale}}{{/if}} · {{time at}}{{#if answer}} · <span class="answer">{{answer}}</span>{{/if}}{{#if duration}} · {{duration}}{{/if}} · <span class="status {{outcome}}">{{outcome}}</span></h3>
{{#with batch}}<p>{{sentence}} <a href="{{href}}"><code>{{id}}</code></a></p>{{/with}}{{#if reason}}<p>Reason: {{reason}}</p>{{/if}}{{> captured}}{{#if error}}<p class="error">{{error}}</p>{{/if}}
{{#if request}}{{> message title="Request" message=request open=last}}{{/if}}
{{#if response}}{{> message title="Response" message=response open=last}}{{/if}}
{{else}}<p class="muted">No attempts yet.</p>{{/each}}</div>{{/each}}`;
