import type { FastifyInstance } from 'fastify';

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

type Transport = (request: {
  method: Method;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;

/** X-Sdk-Date as the SDK writes it: YYYYMMDD'T'HHMMSS'Z'. */
export function sdkDate(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * The one way tests talk to Atelier. It sends the headers the official Node SDK
 * sends on every request (content-type on every method, X-Project-Id,
 * X-Sdk-Date), so request signing can be added here, in one place.
 */
export class ApiClient {
  private constructor(
    private readonly transport: Transport,
    readonly projectId: string,
  ) {}

  /** Through Fastify's inject: no socket, the same request pipeline. */
  static inject(app: FastifyInstance, projectId: string): ApiClient {
    return new ApiClient(async ({ method, path, headers, body }) => {
      const res = await app.inject({ method, url: path, headers, payload: body });
      return { status: res.statusCode, headers: res.headers, text: res.body };
    }, projectId);
  }

  /** Over a real socket to a listening server. */
  static http(baseUrl: string, projectId: string): ApiClient {
    return new ApiClient(async ({ method, path, headers, body }) => {
      const res = await fetch(new URL(path, baseUrl), { method, headers, body });
      return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
    }, projectId);
  }

  withProject(projectId: string): ApiClient {
    return new ApiClient(this.transport, projectId);
  }

  async request<T = any>(
    method: Method,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const resolved = path.replace('{project_id}', encodeURIComponent(this.projectId));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-project-id': this.projectId,
      'x-sdk-date': sdkDate(),
      accept: 'application/json',
      ...options.headers,
    };
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const res = await this.transport({ method, path: resolved, headers, body });
    let parsed: unknown = undefined;
    try {
      parsed = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text: res.text };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { headers });
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { body, headers });
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, { body, headers });
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, { headers });
  }
}
