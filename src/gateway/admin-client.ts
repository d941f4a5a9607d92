/**
 * The admin API's client side and its rendezvous file. `serve` writes `<config>.admin.json`
 * (`gateway.toml` → `gateway.admin.json`, owner-only) with the API's URL and token next to the
 * config; the operator subcommands read it, so they need nothing but the config path.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AdminEndpoint {
  readonly url: string;
  readonly token: string;
}

export function adminFilePath(configPath: string): string {
  const resolved = path.resolve(configPath);
  const base = path.basename(resolved).replace(/\.toml$/i, '');
  return path.join(path.dirname(resolved), `${base}.admin.json`);
}

export async function writeAdminFile(file: string, endpoint: AdminEndpoint): Promise<void> {
  await rm(file, { force: true });
  // `wx` + mode: created owner-only from the first byte, never readable by others.
  await writeFile(file, `${JSON.stringify(endpoint, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

export async function readAdminFile(file: string): Promise<AdminEndpoint> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new AdminClientError(`cannot read ${file}: is \`cluvio-gateway serve\` running with this config?`);
  }
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new AdminClientError(`${file} is not an admin endpoint file`);
  const { url, token } = value as Record<string, unknown>;
  if (typeof url !== 'string' || typeof token !== 'string') throw new AdminClientError(`${file} lacks url or token`);
  return { url, token };
}

/** A failed admin request; `code` is the API's error code (or a transport problem). */
export class AdminClientError extends Error {
  override readonly name = 'AdminClientError';

  constructor(
    message: string,
    readonly code: string = 'ADMIN_UNAVAILABLE',
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export class AdminClient {
  constructor(private readonly endpoint: AdminEndpoint) {}

  static async forConfig(configPath: string): Promise<AdminClient> {
    return new AdminClient(await readAdminFile(adminFilePath(configPath)));
  }

  get<T>(resource: string): Promise<T> {
    return this.request<T>('GET', resource);
  }

  post<T>(resource: string, body: Record<string, unknown> = {}): Promise<T> {
    return this.request<T>('POST', resource, body);
  }

  delete<T>(resource: string): Promise<T> {
    return this.request<T>('DELETE', resource);
  }

  async request<T>(method: string, resource: string, body?: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.endpoint.url}/v1/${resource}`, {
        method,
        headers: {
          authorization: `Bearer ${this.endpoint.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new AdminClientError(
        `cannot reach the gateway's admin API at ${this.endpoint.url}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const value: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const problem = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      const code = typeof problem?.code === 'string' ? problem.code : 'HTTP_ERROR';
      const message = typeof problem?.message === 'string' ? problem.message : `HTTP ${response.status}`;
      throw new AdminClientError(message, code, response.status);
    }
    return value as T;
  }
}
