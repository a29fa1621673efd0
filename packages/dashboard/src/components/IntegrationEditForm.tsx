import { useState } from 'preact/hooks';
import { request } from '../api';
import type { Integration } from '../integrationTypes';
import { apiFieldError, type FieldRule } from './apiFieldError';
import { takesOAuthClient, uniqueKeyProblem } from './authModes';
import { Field } from './Field';
import { focusFirstError } from './focusFirstError';
import { ErrorNotice, Notice } from './Notice';
import { OAuthClientFields, type OAuthClient } from './OAuthClientFields';

const RULES: FieldRule[] = [
  { field: 'uniqueKey', codes: ['integration_exists'], paths: ['unique_key'] },
  { field: 'displayName', paths: ['display_name'] },
  { field: 'clientSecret', paths: ['credentials/client_secret'] },
  { field: 'scopes', paths: ['credentials/scopes'] },
  { field: 'clientId', paths: ['credentials/client_id', 'credentials/type', 'credentials'] },
];

const CONTROLS: Record<string, string> = {
  uniqueKey: 'edit-unique-key',
  displayName: 'edit-display-name',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  scopes: 'scopes',
};

/**
 * Changes an integration made at run time: `PATCH /integrations/:key` with only what changed. A new key renames it
 * (its Connections move with it); the OAuth client's parts are sent only when typed, so the stored secret is never
 * read back to fill the form.
 */
export function IntegrationEditForm(props: { integration: Integration; onSaved: (saved: Integration) => void }) {
  const { integration } = props;
  const [uniqueKey, setUniqueKey] = useState(integration.unique_key);
  const [displayName, setDisplayName] = useState(integration.display_name);
  const [client, setClient] = useState<OAuthClient>({ clientId: '', clientSecret: '', scopes: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const oauth = takesOAuthClient(integration.auth_mode);

  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    setNote(null);
    const found: Record<string, string> = {};
    const keyProblem = uniqueKeyProblem(uniqueKey.trim());
    if (keyProblem) found['uniqueKey'] = keyProblem;
    if (!displayName.trim()) found['displayName'] = 'Enter a display name (it cannot be empty).';
    else if (displayName.length > 255) found['displayName'] = 'The display name is at most 255 characters.';
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirstError(found, CONTROLS);
    const credentials = {
      ...(client.clientId.trim() && { client_id: client.clientId.trim() }),
      ...(client.clientSecret && { client_secret: client.clientSecret }),
      ...(client.scopes.trim() && { scopes: client.scopes.trim() }),
    };
    const body = {
      ...(uniqueKey.trim() !== integration.unique_key && { unique_key: uniqueKey.trim() }),
      ...(displayName.trim() !== integration.display_name && { display_name: displayName.trim() }),
      ...(oauth && Object.keys(credentials).length > 0 && { credentials: { type: integration.auth_mode, ...credentials } }),
    };
    if (Object.keys(body).length === 0) {
      setNote('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const path = `/integrations/${encodeURIComponent(integration.unique_key)}`;
      const saved = (await request<{ data: Integration }>('PATCH', path, { body })).body.data;
      setClient({ clientId: '', clientSecret: '', scopes: '' });
      setNote('Saved.');
      props.onSaved(saved);
    } catch (error) {
      const mapped = apiFieldError(error, RULES);
      if (mapped) {
        setErrors({ [mapped.field]: mapped.message });
        focusFirstError({ [mapped.field]: mapped.message }, CONTROLS);
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="edit-title">
      <h2 id="edit-title">Settings</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field
        id="edit-unique-key"
        label="Unique key"
        hint="Changing it renames the integration; its Connections move with it, and callers must use the new key."
        error={errors['uniqueKey']}
      >
        {(attributes) => (
          <input
            {...attributes}
            type="text"
            autoComplete="off"
            spellcheck={false}
            maxLength={128}
            value={uniqueKey}
            onInput={(event) => setUniqueKey(event.currentTarget.value)}
          />
        )}
      </Field>
      <Field id="edit-display-name" label="Display name" error={errors['displayName']}>
        {(attributes) => (
          <input
            {...attributes}
            type="text"
            maxLength={255}
            value={displayName}
            onInput={(event) => setDisplayName(event.currentTarget.value)}
          />
        )}
      </Field>
      {oauth && <OAuthClientFields value={client} onChange={setClient} errors={errors} required={false} defaultScopes={[]} />}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <span role="status">{note && <Notice kind="success">{note}</Notice>}</span>
      </div>
    </form>
  );
}
