/** The console's error page, a handlebars template rendered by console.views.ts. */
export const ERROR_PAGE = `<div class="card"><h1>{{title}}</h1><p>{{message}}</p><p><a href="/console">← Campaigns</a></p></div>`;
