/** Tags as `key=value` chips, in key order; a dash when there are none. */
export function TagList(props: { tags: Record<string, string> }) {
  const keys = Object.keys(props.tags).sort();
  if (keys.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="tag-list">
      {keys.map((key) => (
        <li key={key}>
          <code>
            {key}={props.tags[key]}
          </code>
        </li>
      ))}
    </ul>
  );
}
