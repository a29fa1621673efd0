import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { setSignedOutHandler } from './api';
import { ErrorNotice } from './components/Notice';
import { paths } from './paths';
import { readSession, SessionContext, type Session } from './session';
import type { SessionState } from './types';
import { SignIn } from './pages/SignIn';
import { Overview } from './pages/Overview';
import { Integrations } from './pages/Integrations';
import { NewIntegration } from './pages/NewIntegration';
import { IntegrationPage } from './pages/IntegrationPage';
import { Connections } from './pages/Connections';
import { ConnectionPage } from './pages/ConnectionPage';
import { Logs } from './pages/Logs';
import { OperationPage } from './pages/OperationPage';
import { Webhooks } from './pages/Webhooks';
import { TryAction } from './pages/TryAction';
import { NotFound } from './pages/NotFound';

export function App() {
  return (
    <LocationProvider>
      <Gate />
    </LocationProvider>
  );
}

/** Reads the session once, then shows the page asked for, or sends the browser to sign-in when there is none. */
function Gate() {
  const location = useLocation();
  const [state, setState] = useState<SessionState | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = async () => {
    try {
      setState(await readSession());
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => {
    void reload();
    setSignedOutHandler(() => void reload());
  }, []);

  const signedIn = state !== null && (state.signedIn || state.open);
  const onSignIn = location.path === '/dashboard/sign-in';
  useEffect(() => {
    if (state === null) return;
    if (!signedIn && !onSignIn) location.route(paths.signIn(location.url), true);
    if (signedIn && onSignIn) location.route(nextOf(location.query['next']), true);
  }, [state, signedIn, onSignIn]);

  if (error) return <ErrorNotice error={error} />;
  if (state === null) return <p class="loading">Loading…</p>;
  const session: Session = { state, reload };
  return (
    <SessionContext.Provider value={session}>
      {!signedIn ? (
        <SignIn />
      ) : (
        <Router>
          <Route path="/dashboard" component={Overview} />
          <Route path="/dashboard/integrations" component={Integrations} />
          <Route path="/dashboard/integrations/new" component={NewIntegration} />
          <Route path="/dashboard/integrations/:key" component={IntegrationPage} />
          <Route path="/dashboard/connections" component={Connections} />
          <Route path="/dashboard/connections/:integration/:connectionId" component={ConnectionPage} />
          <Route path="/dashboard/logs" component={Logs} />
          <Route path="/dashboard/logs/:operationId" component={OperationPage} />
          <Route path="/dashboard/webhooks" component={Webhooks} />
          <Route path="/dashboard/try" component={TryAction} />
          <Route default component={NotFound} />
        </Router>
      )}
    </SessionContext.Provider>
  );
}

/** Where to go after sign-in: a dashboard page only (never another site). */
function nextOf(next: string | undefined): string {
  return next && next.startsWith('/dashboard/') && !next.startsWith('//') ? next : paths.overview();
}
