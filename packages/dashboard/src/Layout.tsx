import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { paths } from './paths';
import { signOut, useSession } from './session';

const NAV: Array<{ label: string; href: string; match: string }> = [
  { label: 'Overview', href: paths.overview(), match: '/dashboard/' },
  { label: 'Integrations', href: paths.integrations(), match: '/dashboard/integrations' },
  { label: 'Connections', href: paths.connections(), match: '/dashboard/connections' },
  { label: 'Logs', href: paths.logs(), match: '/dashboard/logs' },
  { label: 'Webhooks', href: paths.webhooks(), match: '/dashboard/webhooks' },
  { label: 'Try an action', href: paths.tryAction(), match: '/dashboard/try' },
];

/** Every signed-in page: a skip link, the navigation (current page marked for screen readers), the page's main. */
export function Layout(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const { path } = useLocation();
  const session = useSession();
  const current = (match: string) =>
    match === '/dashboard/' ? path === '/dashboard/' || path === '/dashboard' : path.startsWith(match);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={paths.overview()}>
          Nango
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={current(item.match) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {session.state.open ? (
            <span class="open-warning" title="Set NANGO_SECRET_KEY to require sign-in">
              Open: no secret key
            </span>
          ) : (
            <>
              <span>{session.state.user}</span>
              <button
                type="button"
                class="link-button"
                onClick={async () => {
                  await signOut().catch(() => undefined);
                  await session.reload();
                }}
              >
                Sign out
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <div class="page-head">
          <h1>{props.title}</h1>
          {props.actions && <div class="page-actions">{props.actions}</div>}
        </div>
        {props.children}
      </main>
    </>
  );
}
