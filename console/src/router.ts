/**
 * Hash routes: `#/customers/<id>/timeline`. Only ids ever go into the address
 * (no phone, email or search text), so nothing personal lands in browser
 * history, bookmarks or a Referer.
 */
import { useEffect, useState } from 'preact/hooks';

export type CustomerTab = 'overview' | 'timeline' | 'conversation';
export type Route =
  | { readonly name: 'home' }
  | { readonly name: 'customer'; readonly id: string; readonly tab: CustomerTab }
  | { readonly name: 'connectors' }
  | { readonly name: 'metrics' };

const TABS: readonly CustomerTab[] = ['overview', 'timeline', 'conversation'];

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'customers' && parts[1]) {
    const tab = TABS.find((t) => t === parts[2]) ?? 'overview';
    return { name: 'customer', id: parts[1], tab };
  }
  if (parts[0] === 'connectors') return { name: 'connectors' };
  if (parts[0] === 'metrics') return { name: 'metrics' };
  return { name: 'home' };
};

export const hrefOf = (route: Route): string => {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'connectors':
      return '#/connectors';
    case 'metrics':
      return '#/metrics';
    case 'customer':
      return `#/customers/${encodeURIComponent(route.id)}${route.tab === 'overview' ? '' : `/${route.tab}`}`;
  }
};

export const navigate = (route: Route, replace = false): void => {
  const href = hrefOf(route);
  if (replace) {
    history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else location.hash = href;
};

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
};
