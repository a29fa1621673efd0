import type { EndUser } from '../connectionTypes';

/** An end user as one line: the id, then the name and email when known. */
export function EndUserText(props: { endUser: EndUser | null }) {
  const user = props.endUser;
  if (!user) return <span class="muted">—</span>;
  const more = [user.display_name, user.email].filter((part): part is string => Boolean(part));
  return (
    <span>
      <code>{user.id}</code>
      {more.length > 0 && <span class="muted"> {more.join(' · ')}</span>}
    </span>
  );
}
