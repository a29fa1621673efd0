import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, request } from '../api';
import { parseJsonInput, schemaProblems } from '../checks/inputSchemaCheck';
import { ActionRunResult, type ActionRun } from '../components/ActionRunResult';
import { ConnectionPicker } from '../components/ConnectionPicker';
import { Field } from '../components/Field';
import { focusFirstError } from '../components/focusFirstError';
import { inputSkeleton } from '../components/inputSkeleton';
import { ErrorNotice } from '../components/Notice';
import { SchemaView } from '../components/SchemaView';
import { useLoad } from '../components/useLoad';
import type { ScriptConfig, ScriptsConfigEntry } from '../integrationTypes';
import { Layout } from '../Layout';
import { paths } from '../paths';

const CONTROLS: Record<string, string> = {
  integration: 'integration',
  connection: 'connection-search',
  action: 'action',
  input: 'input',
};

/**
 * Runs an action on a Connection, as a caller would (`POST /action/trigger`): the integration, Connection and action
 * are in the URL (`?integration=&connectionId=&action=`), so a run can be linked; the input is JSON, checked against
 * the action's input schema before it is sent (the server checks it fully again).
 */
export function TryAction() {
  const location = useLocation();
  const integration = location.query['integration'] ?? '';
  const connectionId = location.query['connectionId'] ?? '';
  const actionName = location.query['action'] ?? '';
  const scripts = useLoad(() => get<ScriptsConfigEntry[]>('/scripts/config'), []);
  const entries = (scripts.value ?? []).filter((entry) => (entry.actions ?? []).length > 0);
  const entry = entries.find((candidate) => candidate.providerConfigKey === integration);
  const action = entry?.actions?.find((candidate) => candidate.name === actionName);
  const schema = inputSchemaOf(action);
  const [input, setInput] = useState('{}');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [run, setRun] = useState<ActionRun | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  // A new action starts from its schema's required fields.
  useEffect(() => {
    if (action) setInput(inputSkeleton(schema));
  }, [integration, actionName, action !== undefined]);

  const choose = (next: { integration?: string; connectionId?: string; action?: string }) => {
    const changedIntegration = next.integration !== undefined && next.integration !== integration;
    const filters = {
      integration: next.integration ?? integration,
      // A Connection and an action belong to one integration: choosing another clears them.
      connectionId: changedIntegration ? '' : (next.connectionId ?? connectionId),
      action: changedIntegration ? '' : (next.action ?? actionName),
    };
    setErrors({});
    location.route(paths.tryAction(filters), true);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!entry) found['integration'] = 'Pick an integration.';
    if (!connectionId) found['connection'] = 'Pick a Connection to run the action on.';
    if (!action) found['action'] = 'Pick an action.';
    const parsed = parseJsonInput(input);
    if (!parsed.ok) found['input'] = parsed.message;
    else {
      const problems = [...schemaProblems(parsed.value, { type: ['object', 'null'] })];
      if (problems.length === 0) problems.push(...schemaProblems(parsed.value, schema));
      if (problems.length > 0) found['input'] = `Does not match the input schema: ${problems.join('; ')}`;
    }
    setErrors(found);
    if (Object.keys(found).length > 0 || !parsed.ok || !action) {
      if (!parsed.ok && Object.keys(found)[0] === 'input') {
        // Put the cursor where the JSON breaks.
        setTimeout(() => textarea.current?.setSelectionRange(parsed.offset, parsed.offset + 1), 0);
      }
      return focusFirstError(found, CONTROLS);
    }
    setRun({ state: 'running', action: action.name });
    const started = performance.now();
    try {
      const reply = await request<unknown>('POST', '/action/trigger', {
        body: { action_name: action.name, input: parsed.value },
        headers: { 'Provider-Config-Key': integration, 'Connection-Id': connectionId },
      });
      setRun({
        state: 'done',
        action: action.name,
        output: reply.body,
        operationId: reply.operationId,
        ms: performance.now() - started,
      });
    } catch (error) {
      const inputError = error instanceof ApiError && error.code === 'invalid_action_input';
      if (inputError) setErrors({ input: error.message });
      setRun({ state: 'failed', action: action.name, error, ms: performance.now() - started, inputError });
    }
  };

  return (
    <Layout title="Try an action">
      {scripts.error !== undefined && <ErrorNotice error={scripts.error} />}
      {scripts.loading && !scripts.value && <p class="loading">Loading the actions…</p>}
      {scripts.value && entries.length === 0 && (
        <p class="empty">No integration declares an action: add some to integrations.yaml.</p>
      )}
      {entries.length > 0 && (
        <div class="try-layout">
          <form onSubmit={submit} noValidate>
            <Field
              id="integration"
              label="Integration"
              error={
                errors['integration'] ?? (integration && !entry ? `${integration} declares no actions: pick another.` : null)
              }
            >
              {(attributes) => (
                <select
                  {...attributes}
                  value={entry ? integration : ''}
                  onChange={(event) => choose({ integration: event.currentTarget.value })}
                >
                  <option value="">Pick an integration</option>
                  {entries.map((candidate) => (
                    <option key={candidate.providerConfigKey} value={candidate.providerConfigKey}>
                      {candidate.providerConfigKey}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {entry && (
              <ConnectionPicker
                key={integration}
                integration={integration}
                selected={connectionId}
                onSelect={(id) => choose({ connectionId: id })}
                error={errors['connection'] ?? null}
              />
            )}
            {entry && (
              <Field
                id="action"
                label="Action"
                hint={action?.description}
                error={
                  errors['action'] ?? (actionName && !action ? `${integration} has no action ${actionName}: pick another.` : null)
                }
              >
                {(attributes) => (
                  <select
                    {...attributes}
                    value={action ? actionName : ''}
                    onChange={(event) => choose({ action: event.currentTarget.value })}
                  >
                    <option value="">Pick an action</option>
                    {(entry.actions ?? []).map((candidate) => (
                      <option key={candidate.name} value={candidate.name}>
                        {candidate.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            {action &&
              (schema ? (
                <SchemaView schema={schema} caption="Input schema" />
              ) : (
                <p class="hint">No input schema: any object goes.</p>
              ))}
            {action && (
              <Field id="input" label="Input (JSON)" hint="An object; empty means {}." error={errors['input']}>
                {(attributes) => (
                  <textarea
                    {...attributes}
                    ref={textarea}
                    spellcheck={false}
                    rows={10}
                    value={input}
                    onInput={(event) => setInput(event.currentTarget.value)}
                  />
                )}
              </Field>
            )}
            <div>
              <button type="submit" class="primary" disabled={run?.state === 'running'}>
                {run?.state === 'running' ? 'Running…' : 'Run the action'}
              </button>
            </div>
          </form>
          <ActionRunResult run={run} />
        </div>
      )}
    </Layout>
  );
}

/** The action's input JSON Schema, inline or in Nango's `json_schema.input`; undefined when it declares none. */
function inputSchemaOf(action: ScriptConfig | undefined): Record<string, unknown> | undefined {
  const candidate = action?.json_schema?.['input'] ?? action?.input;
  return typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate)
    ? (candidate as Record<string, unknown>)
    : undefined;
}
