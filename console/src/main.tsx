/** Entry: pick the sign-in from `config.json`, find out who is signed in, render. */
import { render } from 'preact';
import { App } from './app.js';
import { loadAuth } from './auth.js';

const root = document.getElementById('app') as HTMLElement;
const auth = await loadAuth();
const user = await auth.current().catch(() => undefined);
const reason =
  auth.kind === 'session' ? (auth.expired ? 'expired' : undefined) : auth.noRole ? ('noRole' as const) : undefined;
render(<App auth={auth} initialUser={user} initialReason={reason} />, root);
