import { useState, type FormEvent } from 'react';
import { canSign } from '../api/sign';
import type { SignIn } from '../session';
import { ErrorBox } from '../ui';

/** Sign in with the access key pair the first start printed, or with a user's password (an IAM token). */
export function SignInPage({ signIn }: { signIn: SignIn }) {
  const [mode, setMode] = useState<'keys' | 'password'>('keys');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = (event: FormEvent<HTMLFormElement>, action: (form: FormData) => Promise<void>) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    action(new FormData(event.currentTarget))
      .catch(setError)
      .finally(() => setBusy(false));
  };
  const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

  return (
    <main className="signin" id="main">
      <h1>Atelier console</h1>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'keys'} onClick={() => setMode('keys')}>
          Access key
        </button>
        <button type="button" role="tab" aria-selected={mode === 'password'} onClick={() => setMode('password')}>
          Password
        </button>
      </div>
      {mode === 'keys' ? (
        <form
          aria-label="Sign in with an access key"
          onSubmit={(e) => run(e, (form) => signIn.withKeys(text(form, 'ak'), text(form, 'sk')))}
        >
          <p className="muted">
            The first start of the server printed an access key and a secret key. The secret key stays in this browser
            tab: every request is signed here (SDK-HMAC-SHA256).
          </p>
          {!canSign() && (
            <p className="state error">
              This page is not in a secure context (https, localhost or 127.0.0.1), so the browser offers no WebCrypto
              to sign with. Open it through localhost, or sign in with a password.
            </p>
          )}
          <label>
            Access key
            <input name="ak" required autoComplete="username" spellCheck={false} />
          </label>
          <label>
            Secret key
            <input name="sk" type="password" required autoComplete="current-password" />
          </label>
          <ErrorBox error={error} />
          <button type="submit" className="primary" disabled={busy || !canSign()}>
            Sign in
          </button>
        </form>
      ) : (
        <form
          aria-label="Sign in with a password"
          onSubmit={(e) =>
            run(e, (form) =>
              signIn.withPassword({
                userName: text(form, 'user'),
                password: String(form.get('password') ?? ''),
                accountName: text(form, 'account'),
                project: text(form, 'project'),
                projectBy: form.get('projectBy') === 'name' ? 'name' : 'id',
              }),
            )
          }
        >
          <p className="muted">A user made with `atelier users create`; the console asks IAM for a token.</p>
          <label>
            User
            <input name="user" required autoComplete="username" />
          </label>
          <label>
            Password
            <input name="password" type="password" required autoComplete="current-password" />
          </label>
          <label>
            Account
            <input name="account" required defaultValue="default" />
          </label>
          <label>
            Project
            <input name="project" required spellCheck={false} />
          </label>
          <fieldset className="inline">
            <legend>The project is given by</legend>
            <label className="inline">
              <input type="radio" name="projectBy" value="id" defaultChecked /> id
            </label>
            <label className="inline">
              <input type="radio" name="projectBy" value="name" /> name
            </label>
          </fieldset>
          <ErrorBox error={error} />
          <button type="submit" className="primary" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
    </main>
  );
}
