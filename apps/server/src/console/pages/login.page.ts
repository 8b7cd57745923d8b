/** The console's login page, a handlebars template rendered by console.views.ts. */
export const LOGIN_PAGE = `<div class="login card"><h1>leadrelay console</h1>
{{#if error}}<p class="error">{{error}}</p>{{/if}}
<form method="post" action="/console/login"><label for="name">Token name</label>
<input id="name" name="name" autocomplete="username" style="width:100%" value="{{name}}">
<p class="hint">The name before the token in ADMIN_TOKENS (<code>name:token</code>); leave it empty for a token written without one.</p>
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required style="width:100%">
<input type="hidden" name="next" value="{{next}}"><p><button class="primary" type="submit">Sign in</button></p></form></div>`;
