import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from '../api';
import { ErrorNotice, Notice } from './Notice';

const part = encodeURIComponent;

/**
 * The one place the dashboard shows a Connection's credentials: only after the operator asks, read then
 * (`GET /connections/:id`, which records the reveal in the operations log) and kept in this component alone, so
 * Hide, or leaving the page, drops them. The rest of that reply is not kept; the refresh token is not asked for.
 */
export function RevealCredentials(props: { integration: string; connectionId: string }) {
  const [credentials, setCredentials] = useState<Record<string, unknown> | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const shownRef = useRef<HTMLPreElement>(null);
  const revealRef = useRef<HTMLButtonElement>(null);
  const wasShown = useRef(false);

  // Focus follows what replaced the button pressed: the credentials once shown, the Reveal button once hidden.
  useEffect(() => {
    if (credentials) shownRef.current?.focus();
    else if (wasShown.current) revealRef.current?.focus();
    wasShown.current = credentials !== null;
  }, [credentials]);

  const reveal = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const reply = await get<{ credentials?: Record<string, unknown> }>(`/connections/${part(props.connectionId)}`, {
        provider_config_key: props.integration,
      });
      setCredentials(reply.credentials ?? {});
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Notice kind="info">
        Credentials let anyone act as this user at the provider. Reveal them only when you must; each reveal is recorded in the
        operations log with your name.
      </Notice>
      {failure !== null && <ErrorNotice error={failure} />}
      {credentials ? (
        <>
          <pre class="secret" aria-label="Credentials" tabIndex={-1} ref={shownRef}>
            {JSON.stringify(credentials, null, 2)}
          </pre>
          <button type="button" onClick={() => setCredentials(null)}>
            Hide credentials
          </button>
        </>
      ) : (
        <button type="button" class="danger" onClick={() => void reveal()} disabled={busy} ref={revealRef}>
          {busy ? 'Reading…' : 'Reveal credentials'}
        </button>
      )}
    </>
  );
}
