import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiError, apiClient, publicClient, unwrap, type ApiClient, type Credential } from './api/client';

type ProjectList = Awaited<ReturnType<typeof listProjects>>;
export type Project = ProjectList[number];

/** What the page keeps between reloads of this tab (sessionStorage): never sent anywhere. */
interface Stored {
  credential: Credential;
  projectId: string;
  projects: Project[];
}

const STORAGE_KEY = 'atelier.console.session';

function load(): Stored | undefined {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as Stored) : undefined;
  } catch {
    return undefined;
  }
}

async function listProjects(client: ApiClient) {
  return (await unwrap(client.GET('/v3/projects'))).projects;
}

/** An IAM token for a user's password, scoped to one project (by id or name). */
export interface PasswordSignIn {
  userName: string;
  password: string;
  accountName: string;
  project: string;
  projectBy: 'id' | 'name';
}

async function issueToken(input: PasswordSignIn) {
  const scope = input.projectBy === 'id' ? { id: input.project } : { name: input.project };
  const { data, error, response } = await publicClient().POST('/v3/auth/tokens', {
    body: {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: input.userName, password: input.password, domain: { name: input.accountName } } },
        },
        scope: { project: scope },
      },
    },
  });
  const token = response.headers.get('X-Subject-Token');
  if (!response.ok || !data || !token) {
    const message = (error as { error_msg?: string } | undefined)?.error_msg ?? `${response.status}`;
    throw new ApiError(response.status, undefined, message);
  }
  return { token, body: data.token };
}

export interface Session {
  credential: Credential;
  projectId: string;
  project: Project | undefined;
  projects: Project[];
  /** The account the project belongs to: its name with a token, its id with an access key. */
  account: string;
  api: ApiClient;
  switchProject(projectId: string): Promise<void>;
  signOut(): void;
}

export interface SignIn {
  withKeys(accessKey: string, secretKey: string): Promise<void>;
  withPassword(input: PasswordSignIn): Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** The session and the ways in; `children` gets the sign-in handlers while nobody is signed in. */
export function SessionProvider(props: { signedOut: (signIn: SignIn) => ReactNode; children: ReactNode }) {
  const [stored, setStored] = useState<Stored | undefined>(load);
  // A password is held in memory only, to scope a new token when the user switches project.
  const [password, setPassword] = useState<string | undefined>();

  const save = (next: Stored | undefined) => {
    if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else sessionStorage.removeItem(STORAGE_KEY);
    setStored(next);
  };

  const signIn: SignIn = {
    async withKeys(accessKey, secretKey) {
      const credential: Credential = { kind: 'aksk', accessKey, secretKey };
      const projects = await listProjects(apiClient(credential, () => undefined));
      if (projects.length === 0) throw new ApiError(403, undefined, 'this access key is granted no project');
      save({ credential, projects, projectId: projects[0].id });
    },
    async withPassword(input) {
      const { token, body } = await issueToken(input);
      const credential: Credential = {
        kind: 'token',
        token,
        userName: body.user.name,
        accountName: body.project.domain.name,
      };
      const projects = await listProjects(apiClient(credential, () => body.project.id));
      setPassword(input.password);
      save({ credential, projects, projectId: body.project.id });
    },
  };

  const session = useMemo((): Session | undefined => {
    if (!stored) return undefined;
    const { credential, projectId, projects } = stored;
    const project = projects.find((p) => p.id === projectId);
    return {
      credential,
      projectId,
      project,
      projects,
      account: credential.kind === 'token' ? credential.accountName : (project?.domain_id ?? ''),
      api: apiClient(credential, () => projectId),
      async switchProject(next) {
        if (credential.kind === 'aksk') return save({ ...stored, projectId: next });
        if (password === undefined) throw new ApiError(401, undefined, 'sign in again to switch project');
        const { token } = await issueToken({
          userName: credential.userName,
          accountName: credential.accountName,
          password,
          project: next,
          projectBy: 'id',
        });
        const nextCredential: Credential = { ...credential, token };
        const projects = await listProjects(apiClient(nextCredential, () => next));
        save({ credential: nextCredential, projects, projectId: next });
      },
      signOut: () => {
        setPassword(undefined);
        save(undefined);
      },
    };
  }, [stored, password]);

  if (!session) return <>{props.signedOut(signIn)}</>;
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}
