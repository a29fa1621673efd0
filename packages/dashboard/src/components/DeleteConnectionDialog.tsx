import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api';
import { ErrorNotice } from './Notice';

const part = encodeURIComponent;

/**
 * "Delete Connection" and its confirmation: a modal `<dialog>` naming the Connection and its integration, where the
 * operator types the Connection id before Delete is possible (a mistyped page, or a second tab, cannot delete the
 * wrong one). Focus goes to that field on open and back to the opening button on close (Escape, Cancel).
 * `DELETE /connections/:id` revokes the token at the provider when it can, then `onDeleted` runs.
 */
export function DeleteConnectionDialog(props: { integration: string; connectionId: string; onDeleted: () => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      inputRef.current?.focus();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);

  const close = () => {
    setOpen(false);
    setTyped('');
    setFailure(null);
    openerRef.current?.focus();
  };

  const confirm = async (event: Event) => {
    event.preventDefault();
    if (typed !== props.connectionId) return;
    setBusy(true);
    setFailure(null);
    try {
      await request('DELETE', `/connections/${part(props.connectionId)}`, { query: { provider_config_key: props.integration } });
      dialogRef.current?.close();
      props.onDeleted();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const matches = typed === props.connectionId;
  return (
    <>
      <button type="button" class="danger" ref={openerRef} onClick={() => setOpen(true)}>
        Delete Connection
      </button>
      <dialog
        ref={dialogRef}
        class="confirm-dialog"
        aria-labelledby="delete-title"
        aria-describedby="delete-what"
        // Escape closes the dialog natively: keep the state in step and give focus back.
        onClose={() => open && close()}
      >
        <form onSubmit={confirm} noValidate>
          <h2 id="delete-title">Delete this Connection?</h2>
          <p id="delete-what">
            This deletes Connection <code>{props.connectionId}</code> of integration <code>{props.integration}</code> with its
            credentials and metadata, and revokes its token at the provider when the provider has a revocation endpoint. It cannot
            be undone: its user would have to authorise again.
          </p>
          <div class="field">
            <label for="delete-confirm">Type the Connection id to confirm</label>
            <input
              id="delete-confirm"
              ref={inputRef}
              type="text"
              autoComplete="off"
              spellcheck={false}
              value={typed}
              aria-describedby="delete-confirm-hint"
              onInput={(event) => setTyped(event.currentTarget.value)}
            />
            <p class="hint" id="delete-confirm-hint">
              {matches ? 'It matches.' : `Type ${props.connectionId} exactly.`}
            </p>
          </div>
          {failure !== null && <ErrorNotice error={failure} />}
          <div class="dialog-buttons">
            <button type="submit" class="danger" disabled={!matches || busy}>
              {busy ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
