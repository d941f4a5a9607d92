/**
 * `app://agent/…`: the windows load the built renderer from this privileged custom scheme rather
 * than file://, so the page has a real origin (which IPC sender checks compare against), gets the
 * same CSP header as the dashboard, and cannot read other local files.
 */
import { readRendererFile, RENDERER_CSP } from '../host/renderer-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'agent';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** For `protocol.registerSchemesAsPrivileged`, before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false },
} as const;

export function appUrl(fragment: string | null = null): string {
  return `${APP_ORIGIN}/index.html${fragment === null ? '' : `#${fragment}`}`;
}

/** The `protocol.handle` handler: files of `rendererDir` only, GET only, with the CSP. */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || request.method !== 'GET')
      return new Response('not found', { status: 404 });
    const file = await readRendererFile(rendererDir, url.pathname.replace(/^\//, ''));
    if (file === null) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: {
        'content-type': file.contentType,
        'content-security-policy': RENDERER_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  };
}
