import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';

/**
 * One execution a kernel finished, as its messages tell it.
 */
export type FinishedExecution = {
  /** The cell that sent it, when this tab sent it. */
  readonly cellId: string | null;
  readonly executionCount: number | null;
  /** The code exactly as sent (as the kernel echoed it, for other tabs). */
  readonly source: string;
  /** Epoch milliseconds. */
  readonly started: number;
  readonly ended: number;
  readonly error: ExecutionError | null;
};

/**
 * The error an execution raised.
 */
export type ExecutionError = {
  readonly name: string;
  readonly value: string;
  readonly traceback: readonly string[];
};

/**
 * Follows every execution of a kernel from its messages, whichever tab or
 * console asked for it, and reports each one when it finishes.
 *
 * #### Notes
 * An execution is keyed by its request's message id, which the kernel's
 * messages about it carry as their parent:
 * - the `execute_request` this tab sends gives the code as sent and the cell
 *   (JupyterLab puts `cellId` in the request's metadata); silent ones are
 *   not followed;
 * - the `execute_input` the kernel broadcasts gives the code and execution
 *   count of every execution, and its start;
 * - an `error` output, or the `execute_reply` of this tab's requests, gives
 *   the error;
 * - the `idle` status ends it, once this tab's request has its reply.
 *
 * A request the kernel aborted (after an earlier error) did not run and is
 * not reported. Executions that other tabs asked for are reported when the
 * kernel announced them with `execute_input`, as the protocol requires.
 */
export class ExecutionWatcher implements IDisposable {
  constructor(
    kernel: Kernel.IKernelConnection,
    onFinished: (execution: FinishedExecution) => void,
    now: () => number = Date.now
  ) {
    this._kernel = kernel;
    this._onFinished = onFinished;
    this._now = now;
    kernel.anyMessage.connect(this._onMessage, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._kernel.anyMessage.disconnect(this._onMessage, this);
    this._pending.clear();
  }

  private _onMessage(
    _: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const { msg, direction } = args;
    if (direction === 'send') {
      if (msg.header.msg_type === 'execute_request') {
        this._onRequest(msg as KernelMessage.IExecuteRequestMsg);
      }
      return;
    }
    const parent = (msg.parent_header as Partial<KernelMessage.IHeader>)
      ?.msg_id;
    if (typeof parent !== 'string') {
      return;
    }
    const content = msg.content as Record<string, unknown>;
    switch (msg.header.msg_type) {
      case 'execute_input':
        this._onInput(parent, content);
        break;
      case 'error':
        this._update(parent, entry => {
          entry.error = readError(content);
        });
        break;
      case 'execute_reply':
        this._update(parent, entry => {
          entry.reply = content;
        });
        break;
      case 'status':
        if (content.execution_state === 'idle') {
          this._update(parent, entry => {
            entry.idle = true;
          });
        }
        break;
    }
  }

  private _onRequest(msg: KernelMessage.IExecuteRequestMsg): void {
    const { code, silent } = msg.content;
    if (silent) {
      return;
    }
    const cellId = (msg.metadata as Record<string, unknown> | undefined)
      ?.cellId;
    this._remember(msg.header.msg_id, {
      own: true,
      source: code,
      cellId: typeof cellId === 'string' ? cellId : null,
      executionCount: null,
      started: this._now(),
      error: null,
      reply: null,
      idle: false
    });
  }

  private _onInput(parent: string, content: Record<string, unknown>): void {
    const count = readCount(content.execution_count);
    const entry = this._pending.get(parent);
    if (entry) {
      // Queued requests are sent together; each starts when announced.
      entry.started = this._now();
      entry.executionCount = count;
      return;
    }
    if (typeof content.code === 'string') {
      this._remember(parent, {
        own: false,
        source: content.code,
        cellId: null,
        executionCount: count,
        started: this._now(),
        error: null,
        reply: null,
        idle: false
      });
    }
  }

  private _update(parent: string, change: (entry: Pending) => void): void {
    const entry = this._pending.get(parent);
    if (!entry) {
      return;
    }
    change(entry);
    if (!entry.idle || (entry.own && entry.reply === null)) {
      return;
    }
    this._pending.delete(parent);
    const reply = entry.reply;
    if (reply?.status === 'aborted') {
      return;
    }
    this._onFinished({
      cellId: entry.cellId,
      executionCount: readCount(reply?.execution_count) ?? entry.executionCount,
      source: entry.source,
      started: entry.started,
      ended: this._now(),
      error:
        entry.error ?? (reply?.status === 'error' ? readError(reply) : null)
    });
  }

  /**
   * Follow an execution, forgetting the oldest when too many never ended
   * (their kernel went away without a word).
   */
  private _remember(msgId: string, entry: Pending): void {
    this._pending.set(msgId, entry);
    if (this._pending.size > MAX_PENDING) {
      this._pending.delete(this._pending.keys().next().value as string);
    }
  }

  private _isDisposed = false;
  private readonly _kernel: Kernel.IKernelConnection;
  private readonly _now: () => number;
  private readonly _onFinished: (execution: FinishedExecution) => void;
  private readonly _pending = new Map<string, Pending>();
}

/**
 * How many executions are followed at once at most.
 */
const MAX_PENDING = 1000;

/**
 * What is known so far of an execution.
 */
type Pending = {
  /** Whether this tab sent the request (and will get its reply). */
  readonly own: boolean;
  readonly source: string;
  readonly cellId: string | null;
  executionCount: number | null;
  started: number;
  error: ExecutionError | null;
  reply: Record<string, unknown> | null;
  idle: boolean;
};

function readCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/**
 * The error of an `error` output or an `execute_reply` with status `error`.
 */
function readError(content: Record<string, unknown>): ExecutionError {
  const traceback = Array.isArray(content.traceback) ? content.traceback : [];
  return {
    name: String(content.ename ?? ''),
    value: String(content.evalue ?? ''),
    traceback: traceback.map(line => String(line))
  };
}
