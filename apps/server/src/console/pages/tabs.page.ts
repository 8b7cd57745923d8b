/** The console's tabs partial, a handlebars template rendered by console.views.ts. */
export const TABS_PARTIAL = `<h1>{{campaign.name}} <span class="muted">· {{campaign.id}}</span></h1>
<nav class="tabs"><a href="/console/campaigns/{{campaign.id}}" class="{{#if (eq tab 'leads')}}on{{/if}}">Leads</a>
<a href="/console/campaigns/{{campaign.id}}/manual-delivery" class="{{#if (eq tab 'manual')}}on{{/if}}">Tools → Manual Delivery</a>
<a href="/console/campaigns/{{campaign.id}}/export" class="{{#if (eq tab 'export')}}on{{/if}}">Export</a>
<a href="/console/campaigns/{{campaign.id}}/batches" class="{{#if (eq tab 'batches')}}on{{/if}}">Batches</a></nav>`;
