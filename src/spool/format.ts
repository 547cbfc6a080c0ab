import type { Runs } from '../tokens';
import { isValidId } from '../store/format';

/**
 * The `format` of a spool file's header line.
 */
export const SPOOL_FORMAT = 'jupyterlab-runs/spool';

/**
 * The one spool version this frontend reads.
 */
export const SPOOL_VERSION = 1;

/**
 * A spool file as the kernel helper writes it (docs/CAPTURE.md, "Headless
 * runs"): a header line, one line per kernel event, and a last
 * `{"closed": true}` line once the kernel has exited.
 */
export type SpoolFile = {
  /** The kernel process's session id. */
  readonly session: string;
  /** The notebook's path relative to the server root. */
  readonly notebook: string;
  /** Whether a frontend had attached to the kernel (it saw the notebook). */
  readonly frontend: boolean;
  /**
   * The Jupyter server's id of the kernel, when it has one (a kernel the
   * server started); null for a kernel started otherwise (papermill).
   */
  readonly kernel: string | null;
  readonly events: readonly Runs.KernelEvent[];
  readonly closed: boolean;
  /** Lines that are not events: torn by a crash mid-write, or garbled. */
  readonly skippedLines: number;
};

export type ParsedSpool =
  | { readonly ok: true; readonly spool: SpoolFile }
  | { readonly ok: false; readonly problem: string };

/**
 * Read a spool file's text. A problem with the header refuses the whole
 * file; a bad event line is only counted, since the kernel may have died in
 * the middle of writing it.
 */
export function parseSpool(text: string): ParsedSpool {
  const lines = text.split('\n').filter(line => line.trim() !== '');
  const header = parseLine(lines[0] ?? '');
  if (header === null || header.format !== SPOOL_FORMAT) {
    return { ok: false, problem: 'is not a jupyterlab-runs spool file' };
  }
  if (header.version !== SPOOL_VERSION) {
    return {
      ok: false,
      problem: `uses spool version ${JSON.stringify(header.version)}, which this version of jupyterlab-runs cannot read (it reads version ${SPOOL_VERSION}); update jupyterlab-runs to import it`
    };
  }
  if (!isValidId(header.session)) {
    return { ok: false, problem: 'names no valid kernel session' };
  }
  if (!isSafeNotebookPath(header.notebook)) {
    return {
      ok: false,
      problem: `names the unsafe notebook path ${JSON.stringify(header.notebook)}`
    };
  }
  const events: Runs.KernelEvent[] = [];
  let closed = false;
  let skippedLines = 0;
  for (const line of lines.slice(1)) {
    const value = parseLine(line);
    if (value?.closed === true) {
      closed = true;
    } else if (value !== null && isEvent(value)) {
      events.push(value);
    } else {
      skippedLines += 1;
    }
  }
  return {
    ok: true,
    spool: {
      session: header.session,
      notebook: header.notebook,
      frontend: header.frontend === true,
      kernel:
        typeof header.kernel === 'string' && isValidId(header.kernel)
          ? header.kernel
          : null,
      events,
      closed,
      skippedLines
    }
  };
}

/**
 * Whether a notebook path from a kernel is one the store may record: relative
 * to the server root, with no empty, `.` or `..` segment and no control
 * character or backslash.
 */
export function isSafeNotebookPath(path: unknown): path is string {
  return (
    typeof path === 'string' &&
    path.length <= 4096 &&
    path.split('/').every(
      segment =>
        segment !== '' &&
        segment !== '.' &&
        segment !== '..' &&
        // eslint-disable-next-line no-control-regex
        !/[\u0000-\u001f\u007f\\]/.test(segment)
    )
  );
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function isEvent(value: Record<string, unknown>): value is Runs.KernelEvent {
  return (
    Number.isSafeInteger(value.seq) &&
    (value.seq as number) > 0 &&
    typeof value.time === 'number' &&
    typeof value.kind === 'string'
  );
}
