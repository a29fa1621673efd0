import { useState } from 'preact/hooks';

/**
 * Copies `text` to the clipboard and says so in a live region. The Clipboard API needs a secure context (HTTPS or
 * localhost); elsewhere it falls back to selecting the text in the field `fieldId` for the operator to copy.
 */
export function CopyButton(props: { text: string; fieldId: string; label: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setSaid('Copied.');
    } catch {
      const field = document.getElementById(props.fieldId);
      if (field instanceof HTMLInputElement) {
        field.focus();
        field.select();
      }
      setSaid('Could not copy here: the link is selected, press Ctrl+C (⌘C) to copy it.');
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()} aria-label={props.label}>
        Copy
      </button>
      <span class="copy-status" role="status" aria-live="polite">
        {said}
      </span>
    </>
  );
}
