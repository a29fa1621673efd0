import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Field } from '../components/Field';
import { ErrorNotice } from '../components/Notice';
import { signIn, useSession } from '../session';

/** Sign-in with the secret key, or with the dashboard user and password when the server has one set. */
export function SignIn() {
  const session = useSession();
  const methods = session.state.methods;
  const [method, setMethod] = useState<'secret_key' | 'password'>(methods[0] ?? 'secret_key');
  const [secretKey, setSecretKey] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (method === 'secret_key' && !secretKey.trim()) found['secretKey'] = 'Enter the secret key (NANGO_SECRET_KEY).';
    if (method === 'password' && !user.trim()) found['user'] = 'Enter the dashboard user name.';
    if (method === 'password' && !password) found['password'] = 'Enter the password.';
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await signIn(method === 'secret_key' ? { secretKey: secretKey.trim() } : { user: user.trim(), password });
      await session.reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setErrors(method === 'secret_key' ? { secretKey: error.message } : { password: error.message });
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to the Nango dashboard</h1>
      {methods.length > 1 && (
        <div class="tabs" role="radiogroup" aria-label="Sign in with">
          <label>
            <input type="radio" name="method" checked={method === 'secret_key'} onChange={() => setMethod('secret_key')} /> Secret
            key
          </label>
          <label>
            <input type="radio" name="method" checked={method === 'password'} onChange={() => setMethod('password')} /> User and
            password
          </label>
        </div>
      )}
      {failure !== null && <ErrorNotice error={failure} />}
      <form onSubmit={submit} noValidate>
        {method === 'secret_key' ? (
          <Field id="secret-key" label="Secret key" hint="The server's NANGO_SECRET_KEY." error={errors['secretKey']}>
            {(attributes) => (
              <input
                {...attributes}
                type="password"
                autoComplete="current-password"
                value={secretKey}
                onInput={(event) => setSecretKey(event.currentTarget.value)}
              />
            )}
          </Field>
        ) : (
          <>
            <Field id="user" label="User" error={errors['user']}>
              {(attributes) => (
                <input
                  {...attributes}
                  type="text"
                  autoComplete="username"
                  value={user}
                  onInput={(event) => setUser(event.currentTarget.value)}
                />
              )}
            </Field>
            <Field id="password" label="Password" error={errors['password']}>
              {(attributes) => (
                <input
                  {...attributes}
                  type="password"
                  autoComplete="current-password"
                  value={password}
                  onInput={(event) => setPassword(event.currentTarget.value)}
                />
              )}
            </Field>
          </>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
