import { Field } from './Field';

/** The OAuth client of an integration, as the form holds it. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** Comma-separated. */
  scopes: string;
}

/**
 * Client id, client secret and scopes of an OAuth integration. `required`: the new-integration form needs both;
 * `isNew` without `required`: a new integration whose client is optional (OAUTH2_CC); otherwise the edit form, which
 * keeps what is stored for a blank field (this page never reads the stored secret back).
 */
export function OAuthClientFields(props: {
  value: OAuthClient;
  onChange: (value: OAuthClient) => void;
  errors: Record<string, string>;
  required: boolean;
  isNew?: boolean;
  defaultScopes: string[];
}) {
  const set = (part: Partial<OAuthClient>) => props.onChange({ ...props.value, ...part });
  const isNew = props.required || props.isNew === true;
  const keep = props.required ? '' : isNew ? ' Optional.' : ' Leave blank to keep the current one.';
  const defaults = props.defaultScopes.length > 0 ? ` The provider's default: ${props.defaultScopes.join(',')}.` : '';
  return (
    <>
      <Field
        id="client-id"
        label="Client id"
        hint={`From your OAuth app at the provider.${keep}`}
        error={props.errors['clientId']}
      >
        {(attributes) => (
          <input
            {...attributes}
            type="text"
            autoComplete="off"
            spellcheck={false}
            value={props.value.clientId}
            onInput={(event) => set({ clientId: event.currentTarget.value })}
          />
        )}
      </Field>
      <Field
        id="client-secret"
        label="Client secret"
        hint={`Write-only: the dashboard never shows it.${keep}`}
        error={props.errors['clientSecret']}
      >
        {(attributes) => (
          <input
            {...attributes}
            type="password"
            autoComplete="new-password"
            value={props.value.clientSecret}
            onInput={(event) => set({ clientSecret: event.currentTarget.value })}
          />
        )}
      </Field>
      <Field
        id="scopes"
        label="Scopes (optional)"
        hint={`Comma-separated.${isNew ? defaults : ' Leave blank to keep the current ones.'}`}
        error={props.errors['scopes']}
      >
        {(attributes) => (
          <input
            {...attributes}
            type="text"
            autoComplete="off"
            spellcheck={false}
            value={props.value.scopes}
            onInput={(event) => set({ scopes: event.currentTarget.value })}
          />
        )}
      </Field>
    </>
  );
}
