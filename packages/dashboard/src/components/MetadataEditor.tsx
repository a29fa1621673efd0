import { useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Field } from './Field';
import { parseJsonObject } from '../checks/jsonObject';
import { ErrorNotice, Notice } from './Notice';

/**
 * A Connection's metadata as JSON in a textarea. It must read as a JSON object before anything is sent (the message
 * names the line and column); saving replaces the whole metadata (`POST /connections/metadata`), and a 400 from the
 * server (too large, malformed) stands next to the field, as the form's only field.
 */
export function MetadataEditor(props: { integration: string; connectionId: string; metadata: Record<string, unknown> }) {
  const [text, setText] = useState(() => JSON.stringify(props.metadata, null, 2));
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    setFailure(null);
    const parsed = parseJsonObject(text);
    if (!parsed.ok) {
      setFieldError(parsed.message);
      document.getElementById('metadata')?.focus();
      return;
    }
    setFieldError(null);
    setBusy(true);
    try {
      await request('POST', '/connections/metadata', {
        body: { connection_id: props.connectionId, provider_config_key: props.integration, metadata: parsed.value },
      });
      setText(JSON.stringify(parsed.value, null, 2));
      setSaved(true);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) setFieldError(error.message);
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate class="wide-form">
      <Field
        id="metadata"
        label="Metadata (JSON object)"
        hint="Saving replaces the whole metadata: what actions and syncs read as the Connection's metadata."
        error={fieldError}
      >
        {(attributes) => (
          <textarea
            {...attributes}
            spellcheck={false}
            rows={Math.min(20, Math.max(6, text.split('\n').length + 1))}
            value={text}
            onInput={(event) => {
              setText(event.currentTarget.value);
              setSaved(false);
            }}
          />
        )}
      </Field>
      {failure !== null && <ErrorNotice error={failure} />}
      <div aria-live="polite">{saved && <Notice kind="success">Metadata saved.</Notice>}</div>
      <div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save metadata'}
        </button>
      </div>
    </form>
  );
}
