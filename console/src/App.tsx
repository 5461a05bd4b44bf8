import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CreateNetwork } from './pages/CreateNetwork';
import { CreatePool } from './pages/CreatePool';
import { Emulator } from './pages/Emulator';
import { NetworkDetail } from './pages/NetworkDetail';
import { Networks } from './pages/Networks';
import { Overview } from './pages/Overview';
import { PoolDetail } from './pages/PoolDetail';
import { Pools } from './pages/Pools';
import { SignInPage } from './pages/SignIn';
import { useRoute, type Route } from './router';
import { SessionProvider, useSession } from './session';
import { ErrorBox } from './ui';

export function App() {
  return (
    <SessionProvider signedOut={(signIn) => <SignInPage signIn={signIn} />}>
      <Shell />
    </SessionProvider>
  );
}

const NAV: Array<{ href: string; label: string; pages: Route['page'][] }> = [
  { href: '#/', label: 'Overview', pages: ['overview'] },
  { href: '#/pools', label: 'Pools', pages: ['pools', 'pool', 'new-pool'] },
  { href: '#/networks', label: 'Networks', pages: ['networks', 'network', 'new-network'] },
  { href: '#/emulator', label: 'Emulator', pages: ['emulator'] },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'pools':
      return <Pools />;
    case 'pool':
      return <PoolDetail name={route.name} />;
    case 'new-pool':
      return <CreatePool />;
    case 'networks':
      return <Networks />;
    case 'network':
      return <NetworkDetail name={route.name} />;
    case 'new-network':
      return <CreateNetwork />;
    case 'emulator':
      return <Emulator />;
    default:
      return <Overview />;
  }
}

/**
 * Another project: from the list IAM gives an access key, or, with a token (scoped to one project), any
 * project id the user is granted, for which the console asks IAM for a new token with the password.
 */
function ProjectSwitcher() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [typed, setTyped] = useState('');
  const switchTo = (projectId: string) => {
    setError(undefined);
    session
      .switchProject(projectId)
      .then(() => queryClient.clear())
      .catch(setError);
  };
  const name = <span data-testid="project-name">{session.project?.name ?? session.projectId}</span>;
  if (session.credential.kind === 'token')
    return (
      <form
        className="inline"
        aria-label="Switch project"
        onSubmit={(event) => {
          event.preventDefault();
          if (typed.trim()) switchTo(typed.trim());
        }}
      >
        {name}
        <label className="inline">
          <span className="visually-hidden">Another project id</span>
          <input
            name="project"
            placeholder="another project id"
            size={16}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>
        <button type="submit">Switch</button>
        <ErrorBox error={error} />
      </form>
    );
  if (session.projects.length < 2) return name;
  return (
    <label className="inline">
      <span className="visually-hidden">Project</span>
      <select data-testid="project-switch" value={session.projectId} onChange={(e) => switchTo(e.target.value)}>
        {session.projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <ErrorBox error={error} />
    </label>
  );
}

function Shell() {
  const route = useRoute();
  const session = useSession();
  const who = session.credential.kind === 'token' ? session.credential.userName : session.credential.accessKey;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="#/">
          Atelier
        </a>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <a key={item.href} href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div className="who" data-testid="who">
          <ProjectSwitcher />
          <span className="muted small" title="account" data-testid="account">
            account {session.account}
          </span>
          <span className="muted small">{who}</span>
          <button type="button" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
