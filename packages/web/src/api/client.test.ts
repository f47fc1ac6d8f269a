import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiBlob, apiRequest, apiUpload, setCsrfToken, setUnauthorizedHandler } from './client.ts';

function reply(status: number, body: unknown, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
  setUnauthorizedHandler(null);
});

describe('apiRequest', () => {
  it('sends JSON and the CSRF token on changes, not on reads', async () => {
    const fetchMock = vi.fn(async () => reply(200, { ok: true }));
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('token-1');

    await apiRequest('/api/users', { query: { q: '王', empty: '' } });
    await apiRequest('/api/users', { method: 'POST', body: { username: 'a' } });

    const [readUrl, read] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(readUrl).toBe('/api/users?q=%E7%8E%8B');
    expect(read.headers).not.toHaveProperty('x-csrf-token');
    const [, write] = fetchMock.mock.calls[1] as unknown as [string, RequestInit];
    expect(write.headers).toMatchObject({ 'x-csrf-token': 'token-1', 'content-type': 'application/json' });
    expect(write.body).toBe('{"username":"a"}');
  });

  it('turns problem+json into an ApiError with the Chinese title and field errors', async () => {
    const problem = { code: 'auth.weak-password', title: '密码太短', status: 400, errors: [{ field: 'newPassword', message: '密码太短' }] };
    vi.stubGlobal('fetch', vi.fn(async () => reply(400, problem, 'application/problem+json')));

    const error = await apiRequest('/api/auth/password', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'auth.weak-password', title: '密码太短', errors: [{ field: 'newPassword', message: '密码太短' }] });
  });

  it('reports a 401 as an ended session, except while signing in', async () => {
    const ended = vi.fn();
    setUnauthorizedHandler(ended);
    vi.stubGlobal('fetch', vi.fn(async () => reply(401, { code: 'auth.session-expired', title: '登录已超时，请重新登录' }, 'application/problem+json')));

    await expect(apiRequest('/api/users')).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledOnce();
    await expect(apiRequest('/api/auth/login', { method: 'POST', body: {} })).rejects.toBeInstanceOf(ApiError);
    expect(ended).toHaveBeenCalledOnce();
  });
});

describe('apiUpload', () => {
  it('sends the raw bytes with the CSRF token and turns problem+json into an ApiError', async () => {
    const fetchMock = vi.fn(async () => reply(201, { fileId: 'f1', status: 'received', duplicate: false }));
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('token-1');
    const bytes = new Uint8Array([0xff, 0xfe, 0x3c]).buffer;

    await expect(apiUpload('/api/device-import/files', bytes, { name: '结果.xml' })).resolves.toMatchObject({ fileId: 'f1' });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/device-import/files?name=%E7%BB%93%E6%9E%9C.xml');
    expect(init).toMatchObject({ method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': 'token-1' } });

    fetchMock.mockResolvedValueOnce(reply(400, { code: 'validation', title: '请提供文件名' }, 'application/problem+json'));
    await expect(apiUpload('/api/device-import/files', bytes)).rejects.toMatchObject({ status: 400, title: '请提供文件名' });
  });
});

describe('apiBlob', () => {
  it('returns the bytes and headers of a PDF reply, posting JSON with the CSRF token', async () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46]);
    const fetchMock = vi.fn(async () => new Response(pdf, { status: 200, headers: { 'content-type': 'application/pdf', 'x-report-final': '1' } }));
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken('token-1');

    const { blob, headers } = await apiBlob('/api/reports/r1/print', { method: 'POST', body: {} });
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(pdf);
    expect(headers.get('x-report-final')).toBe('1');
    const [, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(init).toMatchObject({ method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-csrf-token': 'token-1' } });
  });

  it('throws problem+json as an ApiError with the Chinese title', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => reply(400, { code: 'review-pin-required', title: '打印前请输入签名密码' }, 'application/problem+json')));
    await expect(apiBlob('/api/reports/r1/print', { method: 'POST', body: {} })).rejects.toMatchObject({ code: 'review-pin-required', title: '打印前请输入签名密码' });
  });
});
