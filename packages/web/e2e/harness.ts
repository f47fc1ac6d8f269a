import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, startServer } from '@pftis/server';
import { type Browser, chromium, type Page } from 'playwright-core';

const webDist = path.resolve(import.meta.dirname, '../dist');

export const DEMO_PASSWORD = 'Pftis@2026';

export interface Harness {
  baseUrl: string;
  /** The server's data folder; the demo devices' exchange folders are under devices/. */
  dataDir: string;
  browser: Browser;
  /** A page in a fresh browser context (own cookies and localStorage). */
  newPage(): Promise<Page>;
  /** Calls the API as a signed-in user, from Node. */
  apiAs(username: string, password?: string): Promise<ApiSession['json']>;
  /** A signed-in API session from Node that can also send and fetch raw bytes (device result files, PDFs). */
  session(username: string, password?: string): Promise<ApiSession>;
  close(): Promise<void>;
}

export interface ApiSession {
  json<T>(method: string, url: string, body?: unknown): Promise<T>;
  upload<T>(url: string, bytes: Uint8Array): Promise<T>;
  bytes(url: string): Promise<Buffer>;
}

async function apiSession(baseUrl: string, username: string, password: string): Promise<ApiSession> {
  const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!login.ok) throw new Error(`login as ${username} failed: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const send = async <T>(method: string, url: string, body: BodyInit | undefined, type: string | undefined): Promise<T> => {
    const response = await fetch(`${baseUrl}${url}`, { method, headers: { cookie, 'x-csrf-token': csrfToken, ...(type ? { 'content-type': type } : {}) }, body });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    json: (method, url, body) => send(method, url, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json'),
    upload: (url, bytes) => send('POST', url, Buffer.from(bytes), 'application/octet-stream'),
    async bytes(url) {
      const response = await fetch(`${baseUrl}${url}`, { headers: { cookie } });
      if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
      return Buffer.from(await response.arrayBuffer());
    },
  };
}

/** One server with a fresh demo database and one Chromium for a whole test file. */
export async function startHarness(): Promise<Harness> {
  if (!existsSync(path.join(webDist, 'index.html'))) {
    throw new Error(`${webDist}/index.html is missing: build the web app first with \`npm run build -w @pftis/web\``);
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pftis-e2e-'));
  const server = await startServer(loadConfig({}, { dataDir, port: 0, host: '127.0.0.1', demo: true, logLevel: 'warn', webDist }), { logger: false });
  const browser = await chromium.launch({
    executablePath: process.env.PFTIS_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const baseUrl = server.url;

  return {
    baseUrl,
    dataDir,
    browser,
    async newPage() {
      // The lab's browsers run on Beijing time, as the server's exam dates do.
      const context = await browser.newContext({ baseURL: baseUrl, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 800 } });
      return context.newPage();
    },
    async apiAs(username, password = DEMO_PASSWORD) {
      return (await apiSession(baseUrl, username, password)).json;
    },
    session: (username, password = DEMO_PASSWORD) => apiSession(baseUrl, username, password),
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function fillLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Signs in through the form and waits for the main layout. */
export async function signIn(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  if (new URL(page.url(), 'http://x').pathname !== '/login') await page.goto('/login');
  await fillLogin(page, username, password);
  await page.getByTestId('side-menu').waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByTestId('user-menu-logout').click();
  await page.getByTestId('login-username').waitFor();
}

/** Switches the working campus (院区) in the header, as a user would. */
export async function switchCampus(page: Page, campusName: string): Promise<void> {
  await page.getByTestId('campus-switcher').click();
  await page.locator(`.ant-select-item-option[title="${campusName}"]`).click();
  await page.getByTestId('campus-switcher').filter({ hasText: campusName }).waitFor();
}

export function sideMenuLabels(page: Page): Promise<string[]> {
  return page.locator('[data-testid="side-menu"] [data-testid^="menu-"]').allInnerTexts();
}
