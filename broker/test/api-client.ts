import { openSse, type SseStream } from './sse.js';
import { CSRF_HEADER } from '@touchpoint/protocol';

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny cookie-jar HTTP client for the console API, the way the browser uses it. */
export class ApiClient {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly base: string) {}

  async login(
    name: string,
    password: string,
  ): Promise<ApiResult<{ staff: { id: string; role: string }; csrfToken: string }>> {
    const r = await this.request<{ staff: { id: string; role: string }; csrfToken: string }>(
      'POST',
      '/api/login',
      { name, password },
      { csrf: false },
    );
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }

  /**
   * Logs in the way a member does on first use: a generated password must be replaced before the API does
   * anything else, so it is changed to `next`. Returns the password that works from now on.
   */
  async loginReady(name: string, password: string, next = `${password}-own`): Promise<string> {
    const r = await this.request<{ csrfToken: string; mustChangePassword: boolean }>(
      'POST',
      '/api/login',
      { name, password },
      { csrf: false },
    );
    if (r.status !== 200) throw new Error(`login of ${name} failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrfToken;
    if (!r.body.mustChangePassword) return password;
    const changed = await this.post<{ csrfToken: string }>('/api/me/password', {
      currentPassword: password,
      newPassword: next,
    });
    if (changed.status !== 200)
      throw new Error(`password change of ${name} failed: ${changed.status} ${JSON.stringify(changed.body)}`);
    this.csrf = changed.body.csrfToken;
    return next;
  }

  get<T = unknown>(path: string): Promise<ApiResult<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(
    path: string,
    body: unknown,
    opts: { csrf?: boolean | string; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<ApiResult<T>> {
    return this.request<T>('POST', path, body, opts);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: { csrf?: boolean | string; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
    const csrf = opts.csrf ?? true;
    if (method !== 'GET' && csrf !== false) headers[CSRF_HEADER] = typeof csrf === 'string' ? csrf : (this.csrf ?? '');
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (static files); keep the text.
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
}

/** Reads server-sent events from /api/live into an array until closed. */
export async function openLive(client: ApiClient, query = ''): Promise<Pick<SseStream, 'events' | 'close' | 'status'>> {
  return openSse(`${client.base}/api/live${query}`, client.cookie ? { cookie: client.cookie } : {});
}
