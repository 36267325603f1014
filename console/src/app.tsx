/** The console shell: sign-in, header (navigation, search, language, user), and the routed page. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type Api, createApi } from './api.js';
import type { CognitoAuth, SessionAuth, SignedOutReason, User } from './auth.js';
import { AppContext } from './context.js';
import { createI18n, I18nContext, initialLanguage, type Lang, rememberLanguage, useI18n } from './i18n/index.js';
import { hrefOf, type Route, useRoute } from './router.js';
import { ConnectorsPage } from './views/connectors.js';
import { CustomerPage } from './views/customer.js';
import { MetricsPage } from './views/metrics.js';
import { LanguageSwitch, SetLanguageContext } from './views/language-switch.js';
import { Login } from './views/login.js';
import { Home, SearchBox, type SearchResult } from './views/search.js';

const Header = ({
  user,
  route,
  onSearch,
  onLogout,
}: {
  user: User;
  route: Route;
  onSearch(result: SearchResult): void;
  onLogout(): void;
}) => {
  const { t } = useI18n();
  return (
    <header class="topbar">
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <a class="brand" href={hrefOf({ name: 'home' })}>
        <span class="brand-mark" aria-hidden="true" />
        {t('app.name')}
      </a>
      <nav class="nav" aria-label={t('app.name')}>
        <a
          href={hrefOf({ name: 'home' })}
          aria-current={route.name === 'home' || route.name === 'customer' ? 'page' : undefined}
        >
          {t('nav.customers')}
        </a>
        <a href={hrefOf({ name: 'connectors' })} aria-current={route.name === 'connectors' ? 'page' : undefined}>
          {t('nav.connectors')}
        </a>
        <a href={hrefOf({ name: 'metrics' })} aria-current={route.name === 'metrics' ? 'page' : undefined}>
          {t('nav.metrics')}
        </a>
      </nav>
      <SearchBox onResult={onSearch} />
      <div class="user">
        <LanguageSwitch />
        <span class="user-name" data-testid="user">
          {user.name} <span class={`role role-${user.role}`}>{t(`role.${user.role}`)}</span>
        </span>
        <button type="button" class="btn btn-ghost btn-small" onClick={onLogout}>
          {t('nav.logout')}
        </button>
      </div>
    </header>
  );
};

const Page = ({ route, search }: { route: Route; search: SearchResult | undefined }) => {
  switch (route.name) {
    case 'home':
      return <Home result={search} />;
    case 'connectors':
      return <ConnectorsPage />;
    case 'metrics':
      return <MetricsPage />;
    case 'customer':
      return <CustomerPage key={route.id} id={route.id} tab={route.tab} />;
  }
};

export const App = ({
  auth,
  initialUser,
  initialReason,
}: {
  auth: SessionAuth | CognitoAuth;
  initialUser: User | undefined;
  initialReason: SignedOutReason;
}) => {
  const [lang, setLang] = useState<Lang>(initialLanguage);
  const i18n = useMemo(() => createI18n(lang), [lang]);
  const [user, setUser] = useState(initialUser);
  const [reason, setReason] = useState(initialReason);
  const [search, setSearch] = useState<SearchResult | undefined>();
  const route = useRoute();

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('app.name');
  }, [lang, i18n]);

  const api: Api = useMemo(
    () =>
      createApi(auth, (code) => {
        setUser(undefined);
        setReason(code === 'session_expired' ? 'expired' : 'failed');
      }),
    [auth],
  );
  const setLanguage = (next: Lang) => {
    rememberLanguage(next);
    setLang(next);
  };
  const logout = async () => {
    await auth.logout();
    setSearch(undefined);
    setUser(undefined);
    setReason('loggedOut');
  };

  return (
    <I18nContext.Provider value={i18n}>
      <SetLanguageContext.Provider value={setLanguage}>
        {user ? (
          <AppContext.Provider value={{ api, user }}>
            <Header user={user} route={route} onSearch={setSearch} onLogout={() => void logout()} />
            <main id="main" class="main" tabIndex={-1}>
              <Page route={route} search={search} />
            </main>
          </AppContext.Provider>
        ) : (
          <Login
            key={reason ?? 'none'}
            auth={auth}
            reason={reason}
            onLoggedIn={(u) => {
              setReason(undefined);
              setUser(u);
            }}
          />
        )}
      </SetLanguageContext.Provider>
    </I18nContext.Provider>
  );
};
