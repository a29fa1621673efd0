import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { request } from '../api';
import { apiFieldError, type FieldRule } from '../components/apiFieldError';
import {
  connectionCredentialsOf,
  needsOAuthClient,
  takesOAuthClient,
  uniqueKeyProblem,
  usesOAuthCallback,
} from '../components/authModes';
import { CallbackUrl } from '../components/CallbackUrl';
import { Field } from '../components/Field';
import { setFlash } from '../components/flash';
import { ErrorNotice } from '../components/Notice';
import { OAuthClientFields, type OAuthClient } from '../components/OAuthClientFields';
import { ProviderPicker } from '../components/ProviderPicker';
import { focusFirstError } from '../components/focusFirstError';
import type { Integration, Provider } from '../integrationTypes';
import { Layout } from '../Layout';
import { paths } from '../paths';

/** Server errors mapped to this form's fields (the rest show above it). */
const RULES: FieldRule[] = [
  { field: 'uniqueKey', codes: ['integration_exists'], paths: ['unique_key'] },
  { field: 'provider', codes: ['unknown_provider'], paths: ['provider'] },
  { field: 'displayName', paths: ['display_name'] },
  { field: 'clientSecret', paths: ['credentials/client_secret'] },
  { field: 'scopes', paths: ['credentials/scopes'] },
  { field: 'appPrivateKey', paths: ['credentials/private_key'] },
  { field: 'appLink', paths: ['credentials/app_link'] },
  { field: 'appId', paths: ['credentials/app_id'] },
  { field: 'clientId', paths: ['credentials/client_id', 'credentials/type', 'credentials'] },
];

/** The control each field's error belongs to, in the order of the form (the first wrong one gets the focus). */
const CONTROLS: Record<string, string> = {
  provider: 'provider-search',
  uniqueKey: 'unique-key',
  displayName: 'display-name',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  scopes: 'scopes',
  appId: 'app-id',
  appLink: 'app-link',
  appPrivateKey: 'app-private-key',
};

/** A GitHub App's settings (APP): what GitHub shows on the app's page. */
interface GitHubApp {
  appId: string;
  appLink: string;
  privateKey: string;
}

/** Makes an integration from the providers catalog: `POST /integrations`. */
export function NewIntegration() {
  const location = useLocation();
  const [provider, setProvider] = useState<Provider | null>(null);
  const [uniqueKey, setUniqueKey] = useState('');
  const [keyEdited, setKeyEdited] = useState(false);
  const [displayName, setDisplayName] = useState('');
  const [client, setClient] = useState<OAuthClient>({ clientId: '', clientSecret: '', scopes: '' });
  const [app, setApp] = useState<GitHubApp>({ appId: '', appLink: '', privateKey: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // CUSTOM (a GitHub App with OAuth) takes both: the app's OAuth client and the app itself.
  const custom = provider?.auth_mode === 'CUSTOM';
  const oauth = takesOAuthClient(provider?.auth_mode) || custom;
  const githubApp = provider?.auth_mode === 'APP' || custom;
  // OAUTH2_CC: the client is optional (each Connection may bring its own), but an id without a secret is a mistake.
  const needsClient = needsOAuthClient(provider?.auth_mode) || custom;
  const givesClient = needsClient || client.clientId.trim() !== '' || client.clientSecret !== '';

  const pick = (picked: Provider) => {
    setProvider(picked);
    // The provider's name is the usual key; one the person typed is kept.
    if (!keyEdited) setUniqueKey(picked.name);
    setErrors(({ provider: _gone, ...rest }) => rest);
  };

  const check = (): Record<string, string> => {
    const found: Record<string, string> = {};
    if (!provider) found['provider'] = 'Pick a provider from the catalog.';
    const keyProblem = uniqueKeyProblem(uniqueKey.trim());
    if (keyProblem) found['uniqueKey'] = keyProblem;
    if (displayName.length > 255) found['displayName'] = 'The display name is at most 255 characters.';
    const also = needsClient ? '' : ' (or leave both blank: each Connection then brings its own client)';
    if (oauth && givesClient && !client.clientId.trim()) {
      found['clientId'] = `Enter the client id the provider gave your OAuth app${also}.`;
    }
    if (oauth && givesClient && !client.clientSecret) {
      found['clientSecret'] = `Enter the client secret the provider gave your OAuth app${also}.`;
    }
    if (oauth && !givesClient && client.scopes.trim() !== '') {
      found['scopes'] = 'Scopes go with a client: enter its id and secret too, or leave the scopes blank.';
    }
    if (githubApp) {
      if (!app.appId.trim()) found['appId'] = "Enter the app's id (the App ID on its GitHub settings page).";
      if (!/^https?:\/\/\S+$/.test(app.appLink.trim())) {
        found['appLink'] = "Enter the app's public link, https://github.com/apps/<slug>: the install flow sends users there.";
      }
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(app.privateKey)) {
        found['appPrivateKey'] =
          "Paste the app's private key: the whole .pem file GitHub gave, -----BEGIN … PRIVATE KEY----- included.";
      }
    }
    return found;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    const found = check();
    setErrors(found);
    if (Object.keys(found).length > 0 || !provider) return focusFirstError(found, CONTROLS);
    setBusy(true);
    try {
      const body = {
        provider: provider.name,
        unique_key: uniqueKey.trim(),
        ...(displayName.trim() && { display_name: displayName.trim() }),
        ...(oauth &&
          givesClient && {
            credentials: {
              type: provider.auth_mode,
              client_id: client.clientId.trim(),
              client_secret: client.clientSecret,
              ...(client.scopes.trim() && { scopes: client.scopes.trim() }),
            },
          }),
        ...(githubApp &&
          !custom && {
            credentials: { type: 'APP', app_id: app.appId.trim(), app_link: app.appLink.trim(), private_key: app.privateKey },
          }),
        ...(custom && {
          credentials: {
            type: 'CUSTOM',
            client_id: client.clientId.trim(),
            client_secret: client.clientSecret,
            app_id: app.appId.trim(),
            app_link: app.appLink.trim(),
            private_key: app.privateKey,
          },
        }),
      };
      const made = (await request<{ data: Integration }>('POST', '/integrations', { body })).body.data;
      setFlash(`Created the integration ${made.unique_key}.`);
      location.route(paths.integration(made.unique_key));
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
    <Layout title="Add an integration">
      <p>
        <a href={paths.integrations()}>Back to the integrations</a>
      </p>
      {failure !== null && <ErrorNotice error={failure} />}
      <form onSubmit={submit} noValidate>
        <ProviderPicker selected={provider} onSelect={pick} error={errors['provider'] ?? null} />
        <Field
          id="unique-key"
          label="Unique key"
          hint="Names the integration in the API (Provider-Config-Key): letters, digits, - and _."
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
              onInput={(event) => {
                setUniqueKey(event.currentTarget.value);
                setKeyEdited(true);
              }}
            />
          )}
        </Field>
        <Field
          id="display-name"
          label="Display name (optional)"
          hint="Defaults to the provider's name."
          error={errors['displayName']}
        >
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
        {provider && oauth && (
          <>
            {(usesOAuthCallback(provider.auth_mode) || custom) && <CallbackUrl />}
            {!needsClient && (
              <p class="hint">
                {provider.auth_mode}: a client given here is used by every Connection that brings none of its own; leave it blank
                if each Connection brings its own client.
              </p>
            )}
            <OAuthClientFields
              value={client}
              onChange={setClient}
              errors={errors}
              required={needsClient}
              isNew
              defaultScopes={provider.default_scopes ?? []}
            />
          </>
        )}
        {provider && githubApp && (
          <>
            <Field id="app-id" label="App ID" hint="On the GitHub App's settings page." error={errors['appId']}>
              {(attributes) => (
                <input
                  {...attributes}
                  type="text"
                  autoComplete="off"
                  value={app.appId}
                  onInput={(event) => setApp({ ...app, appId: event.currentTarget.value })}
                />
              )}
            </Field>
            <Field
              id="app-link"
              label="App public link"
              hint="https://github.com/apps/<slug>: users install the app there."
              error={errors['appLink']}
            >
              {(attributes) => (
                <input
                  {...attributes}
                  type="url"
                  autoComplete="off"
                  value={app.appLink}
                  onInput={(event) => setApp({ ...app, appLink: event.currentTarget.value })}
                />
              )}
            </Field>
            <Field
              id="app-private-key"
              label="App private key (PEM)"
              hint="The .pem file GitHub generated for the app; stored encrypted, never shown again."
              error={errors['appPrivateKey']}
            >
              {(attributes) => (
                <textarea
                  {...attributes}
                  rows={6}
                  spellcheck={false}
                  value={app.privateKey}
                  onInput={(event) => setApp({ ...app, privateKey: event.currentTarget.value })}
                />
              )}
            </Field>
          </>
        )}
        {provider && !oauth && !githubApp && (
          <p class="hint">
            {provider.auth_mode}: each Connection brings {connectionCredentialsOf(provider.auth_mode)}; this integration needs no
            client id or secret.
          </p>
        )}
        <div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create the integration'}
          </button>
        </div>
      </form>
    </Layout>
  );
}
