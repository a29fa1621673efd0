import type { ScriptConfig, ScriptsConfigEntry } from '../integrationTypes';
import { paths } from '../paths';
import { SchemaView } from './SchemaView';

/**
 * An integration's actions and syncs as `GET /scripts/config` lists them, with their schemas: an action's input
 * (and output when the server sends one), a sync's models. Schemas may come inline or, in Nango's shape, as a model
 * name looked up in `json_schema.definitions`.
 */
export function IntegrationScripts(props: { integrationKey: string; entry: ScriptsConfigEntry | undefined }) {
  const actions = props.entry?.actions ?? [];
  const syncs = props.entry?.syncs ?? [];
  return (
    <>
      <h2>Actions</h2>
      {actions.length === 0 ? (
        <p class="empty">No actions: declare them under this integration in integrations.yaml.</p>
      ) : (
        actions.map((action) => (
          <section class="script" key={action.name} aria-labelledby={`action-${action.name}`}>
            <h3 id={`action-${action.name}`}>
              <code>{action.name}</code>
            </h3>
            {action.description && <p>{action.description}</p>}
            <p>
              <a href={paths.tryAction({ integration: props.integrationKey, action: action.name })}>Try {action.name}</a>
            </p>
            <ScriptSchema script={action} role="input" caption="Input" />
            <ScriptSchema script={action} role="output" caption="Output" />
          </section>
        ))
      )}
      <h2>Syncs</h2>
      {syncs.length === 0 ? (
        <p class="empty">No syncs listed for this integration by GET /scripts/config.</p>
      ) : (
        syncs.map((sync) => (
          <section class="script" key={sync.name} aria-labelledby={`sync-${sync.name}`}>
            <h3 id={`sync-${sync.name}`}>
              <code>{sync.name}</code>
            </h3>
            {sync.description && <p>{sync.description}</p>}
            {sync.runs && <p>Runs {sync.runs}.</p>}
            {modelsOf(sync).map((model) => (
              <SchemaView key={model.name} schema={model.schema} caption={`Model ${model.name}`} />
            ))}
          </section>
        ))
      )}
    </>
  );
}

/** An action's input or output schema: inline, by model name, or (Nango's json_schema) by role. */
function ScriptSchema(props: { script: ScriptConfig; role: 'input' | 'output'; caption: string }) {
  const { script, role } = props;
  const definitions = definitionsOf(script);
  const declared = role === 'input' ? script.input : Array.isArray(script.returns) ? script.returns[0] : script.returns;
  let schema: unknown = script.json_schema?.[role];
  if (schema === undefined && typeof declared === 'string') schema = definitions[declared] ?? { $ref: declared };
  if (schema === undefined && isRecord(declared)) schema = declared;
  if (schema === undefined || schema === null) {
    return role === 'input' ? <p class="hint">Input: any object (no schema declared).</p> : null;
  }
  return <SchemaView schema={schema} caption={props.caption} />;
}

/** A sync's models with their schemas, from whichever of Nango's shapes the server sent. */
function modelsOf(sync: ScriptConfig): Array<{ name: string; schema: unknown }> {
  const definitions = definitionsOf(sync);
  if (Array.isArray(sync.models)) {
    return sync.models
      .filter(isRecord)
      .map((model) => ({ name: String(model['name'] ?? '?'), schema: definitions[String(model['name'])] ?? model }));
  }
  const names = Array.isArray(sync.returns) ? sync.returns.map(String) : Object.keys(definitions);
  return names.map((name) => ({ name, schema: definitions[name] ?? { $ref: name } }));
}

function definitionsOf(script: ScriptConfig): Record<string, unknown> {
  const definitions = script.json_schema?.['definitions'];
  return isRecord(definitions) ? definitions : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
