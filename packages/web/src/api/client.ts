export interface FieldError {
  field: string;
  message: string;
}

/** A problem+json reply from the server. `title` is Chinese and meant for the user. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  /** Every other member of the problem document (remainingAttempts, lockedUntil, ...). */
  readonly extra: Record<string, unknown>;

  constructor(status: number, problem: Record<string, unknown>) {
    const title = typeof problem.title === 'string' ? problem.title : `HTTP ${status}`;
    super(title);
    this.status = status;
    this.code = typeof problem.code === 'string' ? problem.code : 'unknown';
    this.title = title;
    this.errors = Array.isArray(problem.errors) ? (problem.errors as FieldError[]) : undefined;
    this.extra = problem;
  }
}

let csrfToken: string | null = null;
let onUnauthorized: ((error: ApiError) => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request made with a session gets 401: the session ended (idle timeout, signed out elsewhere). */
export function setUnauthorizedHandler(handler: ((error: ApiError) => void) | null): void {
  onUnauthorized = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: Method;
  body?: unknown;
  query?: Query;
}

// These answer 401 as part of signing in, not because a session ended.
const SIGN_IN_PATHS = ['/api/auth/login', '/api/auth/me'];

export function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const json = options.body !== undefined;
  return send<T>(path, options.method ?? 'GET', options.query, json ? 'application/json' : undefined, json ? JSON.stringify(options.body) : undefined);
}

/** Sends raw bytes (a file as it is) as application/octet-stream (POST unless told); replies and errors as apiRequest. */
export function apiUpload<T>(path: string, body: Blob | ArrayBuffer, query?: Query, method: 'POST' | 'PUT' = 'POST'): Promise<T> {
  return send<T>(path, method, query, 'application/octet-stream', body);
}

/** A binary reply (a PDF, an image) with its headers; a problem+json reply is thrown as an ApiError like apiRequest. */
export async function apiBlob(path: string, options: RequestOptions = {}): Promise<{ blob: Blob; headers: Headers }> {
  const json = options.body !== undefined;
  const response = await fetchWith(path, options.method ?? 'GET', options.query, json ? 'application/json' : undefined, json ? JSON.stringify(options.body) : undefined, '*/*');
  if (response.ok) return { blob: await response.blob(), headers: response.headers };
  throw await failure(path, response);
}

async function send<T>(path: string, method: Method, query: Query | undefined, contentType: string | undefined, body: BodyInit | undefined): Promise<T> {
  const response = await fetchWith(path, method, query, contentType, body, 'application/json');
  if (!response.ok) throw await failure(path, response);
  const text = await response.text();
  return (text ? safeJson(text) : undefined) as T;
}

function fetchWith(path: string, method: Method, query: Query | undefined, contentType: string | undefined, body: BodyInit | undefined, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (contentType) headers['content-type'] = contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(path + queryString(query), { method, headers, credentials: 'same-origin', body });
}

async function failure(path: string, response: Response): Promise<ApiError> {
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : undefined;
  const error = new ApiError(response.status, isObject(data) ? data : {});
  if (error.status === 401 && !SIGN_IN_PATHS.some((p) => path.startsWith(p))) onUnauthorized?.(error);
  return error;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { title: text.slice(0, 200) };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
