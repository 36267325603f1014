/**
 * Loading state of one API call, re-run when its dependencies change; stale
 * answers are dropped. A `reload()` keeps showing the current value until the
 * new one arrives, so a page refreshing after an action does not unmount
 * (and lose the state of) what is on screen.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type AsyncState<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'error'; readonly error: Error };

export const useAsync = <T>(load: () => Promise<T>, deps: readonly unknown[]): [AsyncState<T>, () => void] => {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const generation = useRef(0);
  const lastDeps = useRef<readonly unknown[] | undefined>(undefined);
  useEffect(() => {
    const mine = ++generation.current;
    const sameDeps =
      lastDeps.current?.length === deps.length && deps.every((d, i) => Object.is(d, lastDeps.current?.[i]));
    lastDeps.current = deps;
    if (!sameDeps) setState({ status: 'loading' });
    load().then(
      (value) => mine === generation.current && setState({ status: 'ok', value }),
      (error: Error) => mine === generation.current && setState({ status: 'error', error }),
    );
  }, [...deps, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return [state, reload];
};
