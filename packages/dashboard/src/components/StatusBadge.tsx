/** A status as a word with a colour, never colour alone (readable without colour vision, and by screen readers). */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status.replace(/[^a-z_]/g, '')}`}>{props.status.replace(/_/g, ' ')}</span>;
}
