/** A modal confirmation on the native `<dialog>` (focus trap, Escape to cancel, for free). */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly children?: ComponentChildren;
  readonly confirmLabel?: string;
  readonly danger?: boolean;
  readonly busy?: boolean;
  readonly confirmDisabled?: boolean;
  /** One button only (an information dialog). */
  readonly hideCancel?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

export const ConfirmDialog = (props: ConfirmDialogProps) => {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-label={props.title}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2>{props.title}</h2>
      {props.children}
      <div class="dialog-actions">
        {!props.hideCancel && (
          <button type="button" class="btn" onClick={props.onCancel}>
            {t('actions.cancel')}
          </button>
        )}
        <button
          type="button"
          class={props.danger ? 'btn btn-danger' : 'btn btn-primary'}
          disabled={props.busy || props.confirmDisabled}
          onClick={props.onConfirm}
        >
          {props.confirmLabel ?? t('actions.confirm')}
        </button>
      </div>
    </dialog>
  );
};
