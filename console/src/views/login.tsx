/** The sign-in page: a token locally (exchanged for a session cookie), Cognito's managed login on AWS. */
import { useState } from 'preact/hooks';
import type { CognitoAuth, SessionAuth, SignedOutReason, User } from '../auth.js';
import { useI18n } from '../i18n/index.js';
import { LanguageSwitch } from './language-switch.js';

export interface LoginProps {
  readonly auth: SessionAuth | CognitoAuth;
  readonly reason: SignedOutReason;
  onLoggedIn(user: User): void;
}

export const Login = ({ auth, reason, onLoggedIn }: LoginProps) => {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(
    reason === 'expired'
      ? t('login.expired')
      : reason === 'loggedOut'
        ? t('login.loggedOut')
        : reason === 'noRole'
          ? t('login.noRole')
          : undefined,
  );

  const submit = async (e: Event) => {
    e.preventDefault();
    if (auth.kind !== 'session') return;
    setBusy(true);
    try {
      const user = await auth.login(token);
      if (user) {
        setToken('');
        onLoggedIn(user);
      } else setProblem(t('login.failed'));
    } catch (err) {
      setProblem(t('error.generic', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <div class="login-card">
        <div class="login-top">
          <span class="brand">
            <span class="brand-mark" aria-hidden="true" />
            {t('app.name')}
          </span>
          <LanguageSwitch />
        </div>
        <h1>{t('login.title')}</h1>
        <p class="muted">{t('app.tagline')}</p>
        {problem && (
          <div class="alert alert-info" role="status">
            {problem}
          </div>
        )}
        {auth.kind === 'session' ? (
          <form onSubmit={submit}>
            <label class="field">
              <span>{t('login.token')}</span>
              <input
                type="password"
                autocomplete="current-password"
                value={token}
                required
                onInput={(e) => setToken((e.target as HTMLInputElement).value)}
              />
              <small class="muted">{t('login.tokenHint')}</small>
            </label>
            <button type="submit" class="btn btn-primary btn-block" disabled={busy || !token}>
              {t('login.submit')}
            </button>
          </form>
        ) : (
          <button type="button" class="btn btn-primary btn-block" onClick={() => void auth.login()}>
            {t('login.cognito')}
          </button>
        )}
      </div>
    </main>
  );
};
