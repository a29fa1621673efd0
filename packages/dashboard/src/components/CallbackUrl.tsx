import { useState } from 'preact/hooks';
import { callbackUrlGuess } from './authModes';

/** The OAuth callback URL to register at the provider, with a copy button and where the value comes from. */
export function CallbackUrl() {
  const url = callbackUrlGuess();
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Copied.');
    } catch {
      setCopied('The browser refused to copy: select the address and copy it.');
    }
  };
  return (
    <div class="callback">
      <p class="callback-label" id="callback-label">
        Callback URL to register at the provider
      </p>
      <p class="callback-value">
        <code aria-labelledby="callback-label">{url}</code>{' '}
        <button type="button" onClick={copy}>
          Copy
        </button>{' '}
        <span role="status">{copied}</span>
      </p>
      <p class="hint">
        Built from this page's address. The server builds its own on NANGO_SERVER_URL: if the server is reached at another public
        address, register <code>{'<NANGO_SERVER_URL>/oauth/callback'}</code> instead.
      </p>
    </div>
  );
}
