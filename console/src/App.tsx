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

function ProjectSwitcher() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>();
  if (session.projects.length < 2)
    return <span data-testid="project-name">{session.project?.name ?? session.projectId}</span>;
  return (
    <label className="inline">
      <span className="visually-hidden">Project</span>
      <select
        data-testid="project-switch"
        value={session.projectId}
        onChange={(event) => {
          setError(undefined);
          session
            .switchProject(event.target.value)
            .then(() => queryClient.clear())
            .catch(setError);
        }}
      >
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
