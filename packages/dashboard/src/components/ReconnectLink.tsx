import { useState } from 'preact/hooks';
import { request } from '../api';
import type { ConnectSessionReply } from '../connectionTypes';
import { CopyButton } from './CopyButton';
import { formatTime } from './format';
import { ErrorNotice } from './Notice';

/**
 * A connect link that re-authorises this Connection (`POST /connect/sessions/reconnect`: the session carries the
 * Connection's own end user), to send to its user; shown with its expiry and a Copy button.
 */
export function ReconnectLink(props: { integration: string; connectionId: string }) {
  const [link, setLink] = useState<ConnectSessionReply['data'] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const create = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const reply = await request<ConnectSessionReply>('POST', '/connect/sessions/reconnect', {
        body: { connection_id: props.connectionId, integration_id: props.integration },
      });
      setLink(reply.body.data);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p class="hint">The user opens the link to authorise again; the Connection keeps its id.</p>
      {failure !== null && <ErrorNotice error={failure} />}
      {link && (
        <div class="field">
          <label for="connect-link">Connect link</label>
          <div class="inline-row">
            <input id="connect-link" type="text" readOnly value={link.connect_link} aria-describedby="connect-link-expiry" />
            <CopyButton text={link.connect_link} fieldId="connect-link" label="Copy the connect link" />
          </div>
          <p class="hint" id="connect-link-expiry">
            Expires <time dateTime={link.expires_at}>{formatTime(link.expires_at)}</time>.
          </p>
        </div>
      )}
      <p>
        <button type="button" onClick={() => void create()} disabled={busy}>
          {busy ? 'Creating…' : link ? 'New connect link' : 'Create a connect link'}
        </button>
      </p>
    </>
  );
}
