import { useState } from 'preact/hooks';
import { ApiError, request } from '../api';
import { Field } from './Field';
import { ErrorNotice, Notice } from './Notice';
import { parseTagLines, tagsToLines } from '../checks/tagLines';

const part = encodeURIComponent;

/**
 * A Connection's tags, one `key=value` a line, saved whole with `PATCH /connections/:id` (which replaces the tags).
 * A wrong line is named next to the field before any request; a 400 of the server about the tags stands there too.
 */
export function ConnectionTagsEditor(props: { integration: string; connectionId: string; tags: Record<string, string> }) {
  const [text, setText] = useState(() => tagsToLines(props.tags));
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(false);
    setFailure(null);
    const parsed = parseTagLines(text);
    if (!parsed.ok) {
      setFieldError(parsed.message);
      document.getElementById('tags')?.focus();
      return;
    }
    setFieldError(null);
    setBusy(true);
    try {
      await request('PATCH', `/connections/${part(props.connectionId)}`, {
        query: { provider_config_key: props.integration },
        body: { tags: parsed.tags },
      });
      setText(tagsToLines(parsed.tags));
      setSaved(true);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && /body\/tags/.test(error.message)) setFieldError(error.message);
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate class="wide-form">
      <Field id="tags" label="Tags" hint="One key=value a line; saving replaces every tag." error={fieldError}>
        {(attributes) => (
          <textarea
            {...attributes}
            class="short"
            spellcheck={false}
            rows={Math.min(12, Math.max(3, text.split('\n').length + 1))}
            value={text}
            onInput={(event) => {
              setText(event.currentTarget.value);
              setSaved(false);
            }}
          />
        )}
      </Field>
      {failure !== null && <ErrorNotice error={failure} />}
      <div aria-live="polite">{saved && <Notice kind="success">Tags saved.</Notice>}</div>
      <div>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save tags'}
        </button>
      </div>
    </form>
  );
}
