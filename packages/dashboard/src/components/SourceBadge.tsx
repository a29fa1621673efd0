/**
 * Where an integration comes from, as a word (never colour alone): `file` for integrations.yaml's, which the API
 * cannot change, anything else (`api`, `runtime`) for one made at run time. Nothing when the server sends no source.
 */
export function SourceBadge(props: { source: string | undefined }) {
  if (!props.source) return null;
  const fromFile = props.source === 'file';
  return (
    <span
      class={`badge ${fromFile ? 'badge-file' : 'badge-runtime'}`}
      title={fromFile ? 'Declared in integrations.yaml: change it there' : 'Made through the API: change it here'}
    >
      {fromFile ? 'file' : props.source}
    </span>
  );
}
