/**
 * Administrators only (the hub refuses these routes to other roles with 403
 * in any case): split wrongly merged identities off into a new profile,
 * export everything held about the customer, erase her.
 */
import { useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/dialog.js';
import { Card, ErrorBox } from '../components/ui.js';
import { useApp } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { hrefOf, navigate } from '../router.js';
import type { Profile } from '../types.js';

const keyOf = (i: { type: string; value: string }): string => `${i.type}:${i.value}`;

/** Saves `data` as `<name>` through a temporary object URL (no data in any address the server sees). */
const download = (name: string, data: unknown): void => {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
};

export const AdminActions = ({ profile, onChanged }: { profile: Profile; onChanged(): void }) => {
  const { api } = useApp();
  const { t, label } = useI18n();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<'unmerge' | 'erase' | undefined>();
  const [confirmId, setConfirmId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [split, setSplit] = useState<string | undefined>();
  const base = `/v1/customers/${encodeURIComponent(profile.customerId)}`;

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
      setDialog(undefined);
    }
  };

  const toggle = (key: string) => {
    const next = new Set(selected);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setSelected(next);
  };

  const unmerge = () =>
    run(async () => {
      const res = await api.post<{ split: { customerId: string } }>(`${base}/unmerge`, { identities: [...selected] });
      setSplit(res.split.customerId);
      setSelected(new Set());
      onChanged();
    });

  const exportData = () => run(async () => download(`${profile.customerId}.json`, await api.get(`${base}/export`)));

  const erase = () =>
    run(async () => {
      await api.delete(base);
      navigate({ name: 'home' });
    });

  // Splitting off every identity would leave an empty profile behind: at least one stays.
  const canSplit = selected.size > 0 && selected.size < profile.identities.length;

  return (
    <Card title={t('section.actions')} wide>
      {error && <ErrorBox error={error} />}
      <div class="actions">
        <fieldset class="action">
          <legend>{t('actions.unmerge')}</legend>
          <p class="muted small">{t('actions.unmergeHelp')}</p>
          <ul class="pick">
            {profile.identities.map((i) => {
              const key = keyOf(i);
              return (
                <li key={key}>
                  <label>
                    <input
                      type="checkbox"
                      checked={selected.has(key)}
                      aria-label={t('actions.select', { identity: key })}
                      onChange={() => toggle(key)}
                    />
                    <span>{label('identity', i.type)}</span> <code>{i.value}</code>
                  </label>
                </li>
              );
            })}
          </ul>
          <button type="button" class="btn" disabled={!canSplit || busy} onClick={() => setDialog('unmerge')}>
            {t('actions.unmerge')}
          </button>
          {split && (
            <p class="alert alert-info" role="status">
              {t('actions.unmergeDone')}{' '}
              <a href={hrefOf({ name: 'customer', id: split, tab: 'overview' })}>{t('actions.openSplit')}</a>
            </p>
          )}
        </fieldset>
        <fieldset class="action">
          <legend>{t('actions.export')}</legend>
          <p class="muted small">{t('actions.exportHelp')}</p>
          <button type="button" class="btn" disabled={busy} onClick={exportData}>
            {t('actions.export')}
          </button>
        </fieldset>
        <fieldset class="action action-danger">
          <legend>{t('actions.erase')}</legend>
          <p class="muted small">{t('actions.eraseHelp')}</p>
          <button type="button" class="btn btn-danger" disabled={busy} onClick={() => setDialog('erase')}>
            {t('actions.erase')}
          </button>
        </fieldset>
      </div>
      {dialog === 'unmerge' && (
        <ConfirmDialog
          title={t('actions.unmergeConfirm', { count: selected.size })}
          busy={busy}
          onConfirm={unmerge}
          onCancel={() => setDialog(undefined)}
        >
          <ul class="small">
            {[...selected].map((k) => (
              <li key={k}>
                <code>{k}</code>
              </li>
            ))}
          </ul>
        </ConfirmDialog>
      )}
      {dialog === 'erase' && (
        <ConfirmDialog
          title={t('actions.erase')}
          danger
          busy={busy}
          confirmLabel={t('actions.erase')}
          confirmDisabled={confirmId !== profile.customerId}
          onConfirm={erase}
          onCancel={() => {
            setDialog(undefined);
            setConfirmId('');
          }}
        >
          <p>{t('actions.eraseHelp')}</p>
          <label class="field">
            <span>{t('actions.eraseConfirm')}</span>
            <input
              type="text"
              autocomplete="off"
              spellcheck={false}
              value={confirmId}
              placeholder={profile.customerId}
              onInput={(e) => setConfirmId((e.target as HTMLInputElement).value.trim())}
            />
          </label>
        </ConfirmDialog>
      )}
    </Card>
  );
};
