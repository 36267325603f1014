/** What every view needs: the API, the signed-in person, and a way to report an error. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.js';
import type { User } from './auth.js';
import type { Access } from './types.js';

export interface AppContextValue {
  readonly api: Api;
  readonly user: User;
}

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export const useApp = (): AppContextValue => {
  const value = useContext(AppContext);
  if (!value) throw new Error('AppContext is missing');
  return value;
};

/** Whether the signed-in person's role grants `access` (the hub checks again on every call). */
export const useCan = (access: Access): boolean => useApp().user.access.includes(access);
