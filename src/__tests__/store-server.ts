import { ContentsManager, ServerConnection } from '@jupyterlab/services';
import { webcrypto } from 'crypto';
import { CompressionStream, DecompressionStream } from 'stream/web';
import { gunzipSync, gzipSync } from 'zlib';

import type { ILocalStore, LoggedWrite, PendingWrite } from '../store/local';
import { isForServer, MemoryLocalStore } from '../store/local';
import { RunStore } from '../store/store';
import type { IRunsSettings, Runs } from '../tokens';

const BASE_URL = 'http://localhost:8888/';
const API = '/api/contents';

/**
 * jsdom has no Web Crypto digest; the browser has. Lend Node's.
 */
export function installWebCrypto(): void {
  if (!globalThis.crypto?.subtle) {
    Object.defineProperty(globalThis, 'crypto', {
      value: webcrypto,
      configurable: true
    });
  }
}

/**
 * jsdom has no `CompressionStream` and `DecompressionStream`; the browser
 * and Node have. Lend Node's.
 */
export function installCompression(): void {
  for (const [name, value] of [
    ['CompressionStream', CompressionStream],
    ['DecompressionStream', DecompressionStream]
  ] as const) {
    if (!(name in globalThis)) {
      Object.defineProperty(globalThis, name, { value, configurable: true });
    }
  }
}

type Entry =
  | { type: 'directory'; created: string; modified: string }
  | {
      type: 'file';
      created: string;
      modified: string;
      /** The file's bytes. */
      bytes: Buffer;
    };

/**
 * The two slots of a compressed store file (see `slotsOf`).
 */
function slots(path: string): [string, string] | null {
  const match = /^(.*)\.json\.gz$/.exec(path);
  return match ? [`${match[1]}.a.json.gz`, `${match[1]}.b.json.gz`] : null;
}

/**
 * One request the fake server answered.
 */
export type Request = { method: string; path: string; status: number | null };

/**
 * The transport only: the Jupyter server's Contents REST API over an
 * in-memory file system, behaving like jupyter_server's file contents
 * manager where the store depends on it:
 *
 * - `PUT` of a file or folder whose parent folder is missing fails (500);
 * - hidden paths (a segment starting with `.`) are refused (400);
 * - `PUT` of an existing folder leaves it as it is;
 * - a missing path answers 404 to `GET`;
 * - a write replaces the whole file at once.
 *
 * It can also go away (network errors) or answer 503 for a while.
 */
export class FakeJupyterServer {
  constructor() {
    this.entries.set('', {
      type: 'directory',
      created: stamp(),
      modified: this._tick()
    });
  }

  /**
   * A real `ContentsManager` talking to this server.
   */
  contents(): ContentsManager {
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: BASE_URL,
      fetch: this.fetch,
      Request,
      Headers
    });
    return new ContentsManager({ serverSettings });
  }

  /**
   * The text of a file, or undefined.
   */
  file(path: string): string | undefined {
    const entry = this.entries.get(path);
    return entry?.type === 'file' ? entry.bytes.toString('utf-8') : undefined;
  }

  /**
   * The text of a store file as a reader finds it: a compressed file
   * (`x.json.gz`) from the slot that holds it, decompressed.
   */
  storeText(path: string): string | undefined {
    const pair = slots(path);
    if (!pair) {
      return this.file(path);
    }
    const held = pair
      .map(slot => this.entries.get(slot))
      .filter(
        (entry): entry is Extract<Entry, { type: 'file' }> =>
          entry?.type === 'file' && entry.bytes.length > 0
      )
      .sort((a, b) => b.modified.localeCompare(a.modified));
    for (const entry of held) {
      try {
        return gunzipSync(entry.bytes).toString('utf-8');
      } catch {
        // A torn copy: the other slot holds the file.
      }
    }
    return undefined;
  }

  /**
   * The store files under a folder by the names the store uses: a
   * compressed file once, whichever slot holds it.
   */
  storeFiles(under = ''): string[] {
    const names = new Set<string>();
    for (const path of this.files(under)) {
      const logical = path.replace(/\.[ab](\.json\.gz)$/, '$1');
      if (this.storeText(logical) !== undefined) {
        names.add(logical);
      }
    }
    return [...names].sort();
  }

  /**
   * Put a store file as a user or another program would: a compressed file
   * gzipped into its first slot, the other slot emptied.
   */
  plantStore(path: string, text: string): void {
    const pair = slots(path);
    if (!pair) {
      this.plant(path, text);
      return;
    }
    this.plantBytes(pair[0], gzipSync(Buffer.from(text, 'utf-8')));
    if (this.entries.has(pair[1])) {
      this.plantBytes(pair[1], Buffer.alloc(0));
    }
  }

  /**
   * Put the same bytes into both slots of a compressed store file, as when
   * a write cut short damaged each copy.
   */
  plantInBothSlots(path: string, bytes: Buffer): void {
    const pair = slots(path);
    if (!pair) {
      throw new Error(`${path} is not a compressed store file`);
    }
    pair.forEach(slot => this.plantBytes(slot, bytes));
  }

  /**
   * The file paths under a folder, sorted.
   */
  files(under = ''): string[] {
    return [...this.entries]
      .filter(
        ([path, entry]) =>
          entry.type === 'file' &&
          (under === '' || path.startsWith(`${under}/`))
      )
      .map(([path]) => path)
      .sort();
  }

  /**
   * Put a file, creating its folders, as a user or another program would.
   */
  plant(path: string, content: string): void {
    this.plantBytes(path, Buffer.from(content, 'utf-8'));
  }

  /**
   * Put a file of the given bytes, creating its folders.
   */
  plantBytes(path: string, bytes: Buffer): void {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth++) {
      const folder = segments.slice(0, depth).join('/');
      if (!this.entries.has(folder)) {
        this.entries.set(folder, {
          type: 'directory',
          created: stamp(),
          modified: this._tick()
        });
      }
    }
    this.entries.set(path, {
      type: 'file',
      created: stamp(),
      modified: this._tick(),
      bytes
    });
  }

  /**
   * The successful `PUT`s of files, in order.
   */
  get fileWrites(): string[] {
    return this.requests
      .filter(
        r =>
          r.method === 'PUT' &&
          r.status !== null &&
          r.status < 300 &&
          this.entries.get(r.path)?.type === 'file'
      )
      .map(r => r.path);
  }

  /**
   * Whether the server is unreachable: every request fails as `fetch`
   * does when the network is down.
   */
  down = false;

  /**
   * Whether writes are refused as jupyter_server refuses them in a
   * read-only folder: 403 "Permission denied: <path>".
   */
  readOnly = false;

  /**
   * How many of the next requests answer 503.
   */
  failNext = 0;

  /**
   * How many of the next writes of a binary file are cut short: half the
   * bytes land, then the connection fails, as when the server is killed
   * mid-write.
   */
  tearNext = 0;

  readonly requests: Request[] = [];
  readonly entries = new Map<string, Entry>();

  readonly fetch = async (
    input: RequestInfo | URL,
    init?: RequestInit
  ): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const path = url.pathname
      .slice(API.length)
      .split('/')
      .filter(segment => segment !== '')
      .map(decodeURIComponent)
      .join('/');
    const record: Request = { method: request.method, path, status: null };
    this.requests.push(record);
    if (this.down) {
      throw new TypeError('Failed to fetch');
    }
    let response: Response;
    if (url.pathname.endsWith('/api/status')) {
      response = reply(200, { started: stamp(), kernels: 0, connections: 0 });
    } else if (this.failNext > 0) {
      this.failNext -= 1;
      response = reply(503, { message: 'Service Unavailable' });
    } else if (request.method === 'GET') {
      response = this._get(path, url.searchParams);
    } else if (request.method === 'PUT' && this.readOnly) {
      response = reply(403, { message: `Permission denied: ${path}` });
    } else if (request.method === 'PUT') {
      const body = JSON.parse(await request.text());
      if (this.tearNext > 0 && body.format === 'base64') {
        this.tearNext -= 1;
        const bytes = Buffer.from(body.content, 'base64');
        this.plantBytes(path, bytes.subarray(0, bytes.length >> 1));
        throw new TypeError('Failed to fetch');
      }
      response = this._put(path, body);
    } else if (request.method === 'PATCH') {
      response = this._rename(path, JSON.parse(await request.text()).path);
    } else if (request.method === 'DELETE') {
      response = this._delete(path);
    } else {
      response = reply(405, { message: 'Method Not Allowed' });
    }
    record.status = response.status;
    // As a real server does, every answer says the server's time (whole
    // seconds).
    response.headers.set(
      'Date',
      new Date(Date.UTC(2026, 0, 1) + this._clock).toUTCString()
    );
    return response;
  };

  private _get(path: string, query: URLSearchParams): Response {
    const entry = this.entries.get(path);
    if (!entry) {
      return reply(404, { message: `No such file or directory: ${path}` });
    }
    const content = query.get('content') !== '0';
    if (entry.type === 'file' && query.get('type') === 'notebook') {
      return reply(200, {
        ...model(
          path,
          entry,
          content ? JSON.parse(entry.bytes.toString('utf-8')) : null
        ),
        type: 'notebook',
        format: content ? 'json' : null
      });
    }
    if (entry.type === 'file') {
      if (!content) {
        return reply(200, model(path, entry, null));
      }
      if (query.get('format') === 'base64') {
        // Like jupyter_server: base64 in lines of 76 characters.
        const text = entry.bytes.toString('base64').replace(/.{76}/g, '$&\n');
        return reply(200, model(path, entry, text, 'base64'));
      }
      return reply(200, model(path, entry, entry.bytes.toString('utf-8')));
    }
    // Like jupyter_server: the folder's direct children, files and folders.
    const children = content
      ? [...this.entries]
          .filter(
            ([child]) =>
              child !== path &&
              child.slice(0, Math.max(child.lastIndexOf('/'), 0)) === path
          )
          .map(([child, childEntry]) => model(child, childEntry, null))
      : null;
    return reply(200, model(path, entry, children));
  }

  /**
   * Like jupyter_server: a rename keeps the file's times; a missing source
   * is a 404, a taken name a 409.
   */
  private _rename(path: string, to: string): Response {
    const entry = this.entries.get(path);
    if (!entry) {
      return reply(404, { message: `No such file or directory: ${path}` });
    }
    if (this.entries.has(to)) {
      return reply(409, { message: `File already exists: ${to}` });
    }
    this.entries.delete(path);
    this.entries.set(to, entry);
    return reply(200, model(to, entry, null));
  }

  /**
   * Move the server's clock on (a laptop asleep, time passing): the next
   * write is dated that much later.
   */
  advance(ms: number): void {
    this._clock += ms;
  }

  private _delete(path: string): Response {
    if (!this.entries.has(path)) {
      return reply(404, { message: `No such file or directory: ${path}` });
    }
    for (const child of [...this.entries.keys()]) {
      if (child === path || child.startsWith(`${path}/`)) {
        this.entries.delete(child);
      }
    }
    return new Response(null, { status: 204 });
  }

  private _put(path: string, body: Record<string, unknown>): Response {
    const segments = path.split('/');
    if (segments.some(segment => segment.startsWith('.'))) {
      return reply(400, {
        message: `Cannot create file or directory '${path}'`
      });
    }
    const parent = segments.slice(0, -1).join('/');
    if (this.entries.get(parent)?.type !== 'directory') {
      return reply(500, {
        message: `Unexpected error while saving file: ${path} [Errno 2] No such file or directory`
      });
    }
    const existing = this.entries.get(path);
    if (body.type === 'directory') {
      if (existing?.type === 'file') {
        return reply(400, { message: `${path} is not a directory` });
      }
      const entry = existing ?? {
        type: 'directory',
        created: stamp(),
        modified: this._tick()
      };
      this.entries.set(path, entry);
      return reply(existing ? 200 : 201, model(path, entry, null));
    }
    if (existing?.type === 'directory' || typeof body.content !== 'string') {
      return reply(400, { message: 'No file content provided' });
    }
    const entry: Entry = {
      type: 'file',
      created: existing?.created ?? stamp(),
      modified: this._tick(),
      bytes: Buffer.from(
        body.content,
        body.format === 'base64' ? 'base64' : 'utf-8'
      )
    };
    this.entries.set(path, entry);
    return reply(existing ? 200 : 201, model(path, entry, null));
  }

  /**
   * A modification time later than any before: writes are told apart even
   * within one millisecond.
   */
  private _tick(): string {
    this._clock += 1;
    return new Date(Date.UTC(2026, 0, 1) + this._clock).toISOString();
  }

  private _clock = 0;
}

/**
 * A run store over the fake server whose delays (the write debounce, the
 * running-run interval, the retry wait) are a few milliseconds, so tests do
 * not wait the real ones out.
 */
export function createTestStore(
  server: FakeJupyterServer,
  settings: IRunsSettings,
  local: ILocalStore = new MemoryLocalStore(),
  options: Partial<RunStore.IOptions> = {}
): RunStore {
  return new RunStore({
    contents: server.contents(),
    settings,
    local,
    debounce: 5,
    runningInterval: 20,
    retryDelay: () => 5,
    settle: 5,
    ...options
  });
}

/**
 * A local store kept across store instances, as IndexedDB is across page
 * loads: pending writes of a closed owner are adopted by the next one.
 */
export class PersistentLocalStore {
  /**
   * The local store of one page load.
   */
  open(): ILocalStore & { close(): void } {
    const owner = this._nextOwner++;
    this._live.add(owner);
    return {
      adoptPending: async (server: string): Promise<LoggedWrite[]> => {
        const adopted: LoggedWrite[] = [];
        for (const [key, record] of this.pending) {
          if (
            !this._live.has(record.owner) &&
            isForServer(record.write, server)
          ) {
            record.owner = owner;
            adopted.push({ key, write: record.write });
          }
        }
        return adopted;
      },
      pendingElsewhere: async (server: string): Promise<PendingWrite[]> =>
        [...this.pending.values()]
          .filter(
            record =>
              !this._live.has(record.owner) &&
              !isForServer(record.write, server)
          )
          .map(record => record.write),
      appendPending: async (writes: readonly PendingWrite[]) =>
        writes.map(write => {
          const key = this._nextKey++;
          this.pending.set(key, { owner, write });
          return key;
        }),
      removePending: async (keys: readonly number[]) => {
        keys.forEach(key => this.pending.delete(key));
      },
      getRunList: async (key: string) => this._lists.get(key) ?? null,
      setRunList: async (key: string, list: Runs.RunList) => {
        this._lists.set(key, list);
      },
      close: () => {
        this._live.delete(owner);
      }
    };
  }

  readonly pending = new Map<number, { owner: number; write: PendingWrite }>();
  private readonly _lists = new Map<string, Runs.RunList>();
  private readonly _live = new Set<number>();
  private _nextKey = 1;
  private _nextOwner = 1;
}

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

function model(
  path: string,
  entry: Entry,
  content: unknown,
  format: 'text' | 'base64' = 'text'
): object {
  const name = path.split('/').pop() ?? '';
  return {
    name,
    path,
    type: entry.type,
    created: entry.created,
    last_modified: entry.modified,
    size: entry.type === 'file' ? entry.bytes.length : null,
    mimetype: entry.type === 'file' ? 'application/json' : null,
    content,
    format: content === null ? null : entry.type === 'file' ? format : 'json',
    writable: true
  };
}

function stamp(): string {
  return new Date(0).toISOString();
}
