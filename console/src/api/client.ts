import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { signRequest } from './sign';

/** Wire types, all generated from the server's own OpenAPI document (console/scripts/openapi-document.mjs). */
export type Pool = components['schemas']['Pool'];
export type Network = components['schemas']['Network'];
export type ResourceFlavor = components['schemas']['ResourceFlavor'];
export type ApiEvent = components['schemas']['Event'];
export type PoolNode = components['schemas']['Node'];
export type ErrorEnvelope = components['schemas']['ErrorEnvelope'];
export type Paths = paths;

/** How the console proves who it is: an access key pair, or an IAM token of one project. */
export type Credential =
  | { kind: 'aksk'; accessKey: string; secretKey: string }
  | { kind: 'token'; token: string; userName: string; accountName: string };

/** An API refusal, carrying the envelope's own message so a form can show it where the user is. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The data of a successful call, or an ApiError with the server's error_msg. */
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (response.ok) return data as D;
  const envelope = (error ?? {}) as Partial<ErrorEnvelope>;
  throw new ApiError(
    response.status,
    envelope.error_code,
    envelope.error_msg ?? `${response.status} ${response.statusText || 'error'}`,
  );
}

/** Signs (AK/SK) or tokens each request, and names the project in X-Project-Id as the SDK does. */
function authMiddleware(credential: Credential, projectId: () => string | undefined): Middleware {
  return {
    async onRequest({ request }) {
      const project = projectId();
      if (credential.kind === 'token') {
        request.headers.set('X-Auth-Token', credential.token);
        if (project) request.headers.set('X-Project-Id', project);
        return request;
      }
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (project) headers['X-Project-Id'] = project;
      const body = request.body === null ? '' : await request.clone().text();
      const signed = await signRequest({
        method: request.method,
        url: new URL(request.url),
        headers,
        body,
        accessKey: credential.accessKey,
        secretKey: credential.secretKey,
      });
      for (const [name, value] of Object.entries({ ...headers, ...signed })) request.headers.set(name, value);
      return request;
    },
  };
}

export type ApiClient = ReturnType<typeof createClient<paths>>;

export function apiClient(credential: Credential, projectId: () => string | undefined): ApiClient {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  client.use(authMiddleware(credential, projectId));
  return client;
}

/** A client for the emulator controls (/_atelier/), which take only the admin bearer token. */
export function adminClient(token: string): ApiClient {
  const client = createClient<paths>({ baseUrl: window.location.origin });
  client.use({
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

/** A client without credentials: IAM's token call is the one that takes none. */
export const publicClient = (): ApiClient => createClient<paths>({ baseUrl: window.location.origin });
