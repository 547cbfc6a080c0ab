import type { NotebookPanel } from '@jupyterlab/notebook';
import { PromiseDelegate } from '@lumino/coreutils';

import { KernelAttachment } from '../capture/attachment';
import type { HelperConfig } from '../capture/bootstrap';
import { helperConfig } from '../capture/bootstrap';
import type { FrontendRecorder } from '../capture/frontend';
import { frontendRunId, frontendSessionId } from '../capture/ids';
import { NotebookCapture } from '../capture/notebook';
import { REDACTED } from '../capture/redact';
import { DEFAULT_CONFIG } from '../settings/config';
import {
  FakeKernel,
  FakeLocks,
  FakeRunStore,
  FakeSessionContext,
  runSummary,
  settle,
  storedStream
} from './capture-fakes';
import { createSettingRegistry, resolveRunsSettings } from './helpers';
import { cellExecuted, createNotebookPanel, showStream } from './notebooks';

const PATH = 'analysis/echo.ipynb';
const SESSION = frontendSessionId('kernel-1', 'process-1');
const RUN_1 = frontendRunId(SESSION, 1);

const FAILURE = {
  ename: 'EchoError',
  evalue: 'fail',
  traceback: ['EchoError: fail']
};

/**
 * The events a store was given, without their times, for comparison.
 */
function storedEvents(store: FakeRunStore): Record<string, unknown>[] {
  return store.events.flatMap(batch =>
    batch.events.map(event => {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { time, started, ended, ...rest } = event;
      return rest;
    })
  );
}

describe('FrontendRecorder', () => {
  let kernel: FakeKernel;
  let context: FakeSessionContext;
  let store: FakeRunStore;
  let tracking: boolean;
  let shared: FrontendRecorder.IShared;
  let attachments: KernelAttachment[];
  let endings: KernelAttachment.Ending[];

  const config = (): HelperConfig =>
    helperConfig(DEFAULT_CONFIG, PATH, tracking);

  /**
   * The attachment of one notebook panel; `page` is what the recorders of
   * its page share (another page is another tab).
   */
  async function open(
    options: {
      page?: FrontendRecorder.IShared;
      sessionContext?: FakeSessionContext;
    } = {}
  ): Promise<KernelAttachment> {
    const attachment = new KernelAttachment({
      sessionContext: (options.sessionContext ?? context).asSessionContext(),
      store,
      helperSource: async () => 'def attach(config): pass\n',
      config,
      frontend: options.page ?? shared
    });
    attachment.kernelEnded.connect((_, ending) => endings.push(ending));
    attachments.push(attachment);
    await settle();
    return attachment;
  }

  beforeEach(() => {
    kernel = new FakeKernel('echo');
    context = new FakeSessionContext(kernel);
    store = new FakeRunStore();
    tracking = true;
    shared = { appVersion: '4.6.6', locks: null, sessions: new Map() };
    attachments = [];
    endings = [];
  });

  afterEach(() => {
    attachments.forEach(attachment => attachment.dispose());
  });

  describe('#start()', () => {
    it('should start a session with what kernel_info gives, and send nothing to the kernel', async () => {
      const attachment = await open();

      expect(kernel.executed).toEqual([]);
      expect(kernel.comms).toEqual([]);
      expect(attachment.state).toBe('recording');
      expect(attachment.session).toBe(SESSION);
      expect(storedEvents(store)).toEqual([
        {
          seq: 1,
          kind: 'session',
          session: SESSION,
          env: {
            recorded_by: 'frontend',
            kernel: {
              name: 'echo',
              display_name: 'Echo',
              implementation: 'echo-kernel',
              implementation_version: '1.0',
              protocol_version: '5.3',
              banner: 'The echo kernel'
            },
            language: { name: 'echo', version: '2.0' },
            language_info: {
              name: 'echo',
              version: '2.0',
              mimetype: 'text/plain',
              file_extension: '.txt'
            },
            jupyter: { jupyterlab: '4.6.6' },
            notebook_path: PATH
          }
        }
      ]);
      expect(store.events[0].path).toBe(PATH);
    });

    it('should give the same session to the same kernel process, and another after a restart', () => {
      expect(frontendSessionId('kernel-1', 'process-1')).toBe(SESSION);
      expect(frontendSessionId('kernel-1', 'process-2')).not.toBe(SESSION);
      expect(SESSION).toMatch(/^kernel-1-[0-9a-f]{8}$/);
    });
  });

  describe('executions', () => {
    it('should record a run lazily, with each execution as sent and its outcome', async () => {
      await open();
      kernel.execute({ code: 'hello', count: 1, cellId: 'c1' });
      kernel.execute({
        code: 'fail',
        count: 2,
        cellId: 'c2',
        error: FAILURE
      });

      const events = storedEvents(store);
      expect(events.slice(1)).toEqual([
        {
          seq: 2,
          kind: 'run_start',
          // Named by the attachment for the store (capture/events.ts).
          session: SESSION,
          run: RUN_1,
          name: expect.stringMatching(/^[a-z]+-[a-z]+-1$/),
          reason: 'kernel-start',
          params: [],
          inherited: []
        },
        {
          seq: 3,
          kind: 'execution',
          run: RUN_1,
          exec: 1,
          cell_id: 'c1',
          execution_count: 1,
          source: 'hello',
          outcome: 'ok',
          error: null
        },
        {
          seq: 4,
          kind: 'execution',
          run: RUN_1,
          exec: 2,
          cell_id: 'c2',
          execution_count: 2,
          source: 'fail',
          outcome: 'error',
          error: {
            name: 'EchoError',
            value: 'fail',
            traceback: ['EchoError: fail']
          }
        }
      ]);
      const execution = store.events[1].events[1];
      expect(execution.started).toEqual(expect.any(Number));
      expect(execution.ended).toBeGreaterThanOrEqual(
        execution.started as number
      );
    });

    it('should record what ran while it found out which kernel process it is', async () => {
      const gate = new PromiseDelegate<void>();
      kernel.infoGate = gate.promise;
      await open();
      kernel.execute({ code: 'early', count: 1 });
      expect(store.events).toEqual([]);

      gate.resolve();
      await settle();
      expect(
        storedEvents(store).map(event => event.source ?? event.kind)
      ).toEqual(['session', 'run_start', 'early']);
    });

    it('should take the error from the reply when the kernel publishes none', async () => {
      await open();
      kernel.execute({
        code: 'fail',
        count: 1,
        error: FAILURE,
        errorOutput: false
      });
      expect(storedEvents(store).pop()).toMatchObject({
        outcome: 'error',
        error: { name: 'EchoError', value: 'fail' }
      });
    });

    it("should record another tab's executions from the kernel's broadcast", async () => {
      await open();
      kernel.execute({ code: 'from elsewhere', count: 1, own: false });
      expect(storedEvents(store).pop()).toMatchObject({
        kind: 'execution',
        exec: 1,
        cell_id: null,
        source: 'from elsewhere',
        outcome: 'ok'
      });
    });

    it('should not record silent or aborted executions', async () => {
      await open();
      kernel.execute({ code: 'quiet', silent: true });
      kernel.execute({ code: 'never ran', replyStatus: 'aborted' });
      expect(storedEvents(store).map(event => event.kind)).toEqual(['session']);
    });

    it('should redact secrets from sources and errors', async () => {
      await open();
      kernel.execute({
        code: 'api_key = "s3cr3tvalue"',
        count: 1,
        error: { ename: 'E', evalue: 'password=hunter22', traceback: [] }
      });
      const execution = storedEvents(store).pop()!;
      expect(execution.source).toBe(`api_key = "${REDACTED}"`);
      expect(execution.error).toMatchObject({ value: `password=${REDACTED}` });
    });

    it('should number executions itself when the kernel count does not go up', async () => {
      await open();
      kernel.execute({ code: 'a', count: 0 });
      kernel.execute({ code: 'b', count: 0 });
      expect(
        storedEvents(store)
          .filter(event => event.kind === 'execution')
          .map(event => event.exec)
      ).toEqual([1, 2]);
    });
  });

  describe('#startRun()', () => {
    it('should end the run with its last outcome and start a named one at once', async () => {
      const attachment = await open();
      kernel.execute({ code: 'hello', count: 1 });
      kernel.execute({ code: 'fail', count: 2, error: FAILURE });
      attachment.startRun('second try');
      kernel.execute({ code: 'again', count: 3 });

      expect(storedEvents(store).slice(4)).toEqual([
        { seq: 5, kind: 'run_end', run: RUN_1, status: 'failed' },
        {
          seq: 6,
          kind: 'run_start',
          session: SESSION,
          run: frontendRunId(SESSION, 2),
          name: 'second try',
          reason: 'user',
          params: [],
          inherited: [1, 2]
        },
        expect.objectContaining({
          seq: 7,
          kind: 'execution',
          run: frontendRunId(SESSION, 2),
          exec: 3
        })
      ]);
    });

    it('should not end a run in which nothing ran', async () => {
      const attachment = await open();
      attachment.startRun();
      expect(storedEvents(store).slice(1)).toEqual([
        expect.objectContaining({
          kind: 'run_start',
          run: RUN_1,
          reason: 'user',
          name: expect.stringMatching(/-1$/)
        })
      ]);
    });
  });

  describe('kernel restarts', () => {
    it('should end the kernel process and record the next one as a new session', async () => {
      await open();
      kernel.execute({ code: 'hello', count: 1 });
      context.setStatus('restarting');
      kernel.kernelSession = 'process-2';
      context.setStatus('idle');
      await settle();
      kernel.execute({ code: 'after', count: 1 });

      const next = frontendSessionId('kernel-1', 'process-2');
      expect(endings).toEqual(['restarted']);
      expect(storedEvents(store).slice(3)).toEqual([
        expect.objectContaining({ seq: 1, kind: 'session', session: next }),
        expect.objectContaining({
          seq: 2,
          kind: 'run_start',
          run: frontendRunId(next, 1),
          reason: 'kernel-start'
        }),
        expect.objectContaining({ seq: 3, kind: 'execution', exec: 1 })
      ]);
    });

    it('should record no run when nothing ran before the restart', async () => {
      await open();
      context.setStatus('restarting');
      kernel.kernelSession = 'process-2';
      context.setStatus('idle');
      await settle();
      expect(storedEvents(store).map(event => event.kind)).toEqual([
        'session',
        'session'
      ]);
    });

    it('should go on in the same session after the websocket reconnects', async () => {
      await open();
      kernel.execute({ code: 'hello', count: 1 });
      context.setConnectionStatus('connecting');
      context.setConnectionStatus('connected');
      await settle();
      kernel.execute({ code: 'again', count: 2 });

      expect(endings).toEqual([]);
      expect(storedEvents(store).slice(3)).toEqual([
        expect.objectContaining({ seq: 4, run: RUN_1, exec: 2 })
      ]);
    });
  });

  describe('reloads', () => {
    it('should resume the stored session and its running run', async () => {
      // What the page before the reload wrote.
      store.lastSeqs.set(`${PATH}/${SESSION}`, 7);
      store.lists.set(PATH, {
        runs: [
          runSummary({
            id: frontendRunId(SESSION, 2),
            name: 'calm-heron-2',
            status: 'running'
          }),
          runSummary({ id: RUN_1, status: 'finished' }),
          runSummary({ id: 'another-session-r9', status: 'running' })
        ],
        problems: []
      });
      const welcomed: unknown[] = [];
      const attachment = new KernelAttachment({
        sessionContext: context.asSessionContext(),
        store,
        helperSource: async () => '',
        config,
        frontend: shared
      });
      attachments.push(attachment);
      attachment.welcomed.connect((_, run) => welcomed.push(run));
      await settle();
      kernel.execute({ code: 'later', count: 5 });
      attachment.startRun();

      expect(welcomed).toEqual([
        {
          id: frontendRunId(SESSION, 2),
          name: 'calm-heron-2',
          params: {},
          announced: true
        }
      ]);
      expect(storedEvents(store)).toEqual([
        expect.objectContaining({
          seq: 8,
          kind: 'execution',
          run: frontendRunId(SESSION, 2),
          exec: 5
        }),
        expect.objectContaining({ seq: 9, kind: 'run_end' }),
        expect.objectContaining({
          seq: 10,
          kind: 'run_start',
          run: frontendRunId(SESSION, 3),
          inherited: [1, 2, 3, 4, 5]
        })
      ]);
    });
  });

  describe('two tabs', () => {
    /**
     * The notebook open in two tabs of one browser, the first opened first:
     * each tab is a page of its own, sharing the browser's locks.
     */
    async function openTwoTabs(): Promise<
      [KernelAttachment, KernelAttachment]
    > {
      const locks = new FakeLocks();
      const tab = () =>
        open({ page: { appVersion: '', locks, sessions: new Map() } });
      const first = await tab();
      return [first, await tab()];
    }

    it('should let one tab write, and the other take over when it closes', async () => {
      const [first, second] = await openTwoTabs();
      expect(first.state).toBe('recording');
      expect(second.state).toBe('other-tab');

      kernel.execute({ code: 'one', count: 1 });
      expect(storedEvents(store).map(event => event.kind)).toEqual([
        'session',
        'run_start',
        'execution'
      ]);

      // The first tab closes once its events are written.
      store.lastSeqs.set(`${PATH}/${SESSION}`, 3);
      store.lists.set(PATH, {
        runs: [
          runSummary({ id: RUN_1, name: 'keen-yak-1', status: 'running' })
        ],
        problems: []
      });
      first.dispose();
      await settle();
      expect(second.state).toBe('recording');
      kernel.execute({ code: 'two', count: 2 });

      expect(storedEvents(store).slice(3)).toEqual([
        expect.objectContaining({
          seq: 4,
          kind: 'execution',
          run: RUN_1,
          exec: 2
        })
      ]);
    });

    it('should record what ran while it took over', async () => {
      const [first, second] = await openTwoTabs();
      kernel.execute({ code: 'one', count: 1 });
      store.lastSeqs.set(`${PATH}/${SESSION}`, 3);
      store.lists.set(PATH, {
        runs: [runSummary({ id: RUN_1, status: 'running' })],
        problems: []
      });
      const gate = new PromiseDelegate<void>();
      store.listGates.set(PATH, gate);

      first.dispose();
      await settle();
      kernel.execute({ code: 'two', count: 2 });
      gate.resolve();
      await settle();

      expect(second.state).toBe('recording');
      expect(storedEvents(store).slice(3)).toEqual([
        expect.objectContaining({ seq: 4, run: RUN_1, exec: 2 })
      ]);
    });

    it('should hand over within a page without asking the store', async () => {
      const locks = new FakeLocks();
      shared = { appVersion: '', locks, sessions: new Map() };
      const first = await open();
      const second = await open();
      kernel.execute({ code: 'one', count: 1 });
      first.dispose();
      await settle();
      kernel.execute({ code: 'two', count: 2 });

      expect(second.state).toBe('recording');
      expect(storedEvents(store).slice(3)).toEqual([
        expect.objectContaining({
          seq: 4,
          kind: 'execution',
          run: RUN_1,
          exec: 2
        })
      ]);
    });
  });

  describe('tracking off', () => {
    it('should record nothing while the notebook is not tracked', async () => {
      tracking = false;
      const attachment = await open();
      kernel.execute({ code: 'hello', count: 1 });

      expect(attachment.state).toBe('off');
      expect(store.events).toEqual([]);
      expect(kernel.executed).toEqual([]);
    });

    it('should stop and go on in the same run when tracking is switched', async () => {
      const attachment = await open();
      kernel.execute({ code: 'one', count: 1 });
      tracking = false;
      attachment.configChanged();
      kernel.execute({ code: 'ignored', count: 2 });
      attachment.startRun();
      expect(attachment.state).toBe('off');

      tracking = true;
      attachment.configChanged();
      kernel.execute({ code: 'three', count: 3 });

      const events = storedEvents(store);
      expect(events.map(event => event.source ?? event.kind)).toEqual([
        'session',
        'run_start',
        'one',
        'three'
      ]);
      expect(events[3]).toMatchObject({ run: RUN_1, exec: 3 });
    });

    it('should start the session once tracking is switched on', async () => {
      tracking = false;
      const attachment = await open();
      tracking = true;
      attachment.configChanged();
      await settle();

      expect(attachment.state).toBe('recording');
      expect(storedEvents(store).map(event => event.kind)).toEqual(['session']);
    });
  });
});

describe('NotebookCapture of a kernel that is not Python', () => {
  let panel: NotebookPanel;
  let kernel: FakeKernel;
  let context: FakeSessionContext;
  let store: FakeRunStore;
  let capture: NotebookCapture;

  /**
   * Run the first cell as the notebook does: the kernel's messages, then
   * NotebookActions' signal with the outputs displayed.
   */
  function runFirstCell(count: number, text: string): void {
    const cellId = panel.content.widgets[0].model.id;
    kernel.execute({ code: 'echo', count, cellId });
    showStream(panel.content, 0, count, text);
    cellExecuted(panel.content, 0);
  }

  beforeEach(async () => {
    const settings = await resolveRunsSettings(createSettingRegistry());
    panel = await createNotebookPanel('analysis/echo.ipynb');
    panel.content.model!.sharedModel.insertCells(0, [
      { cell_type: 'code', source: 'echo' }
    ]);
    kernel = new FakeKernel('echo');
    context = new FakeSessionContext(kernel);
    store = new FakeRunStore();
    capture = new NotebookCapture({
      panel,
      sessionContext: context.asSessionContext(),
      store,
      settings,
      helperSource: async () => '',
      frontend: { appVersion: '', locks: null, sessions: new Map() }
    });
    await settle();
  });

  afterEach(() => {
    capture.dispose();
    panel.dispose();
  });

  it('should show the active run and store the outputs, redacted', async () => {
    expect(capture.isRecording).toBe(true);
    runFirstCell(1, 'token = abcdef123456\n');

    expect(capture.model.run).toMatchObject({
      id: RUN_1,
      status: 'running'
    });
    expect(store.outputs).toEqual([
      storedStream('analysis/echo.ipynb', RUN_1, 1, `token = ${REDACTED}\n`)
    ]);
  });

  it('should end the run, with a snapshot, on a new run and on a restart', async () => {
    runFirstCell(1, 'echo\n');
    capture.startRun();
    expect(capture.model.run).toMatchObject({
      id: frontendRunId(SESSION, 2),
      status: 'running'
    });
    expect(store.snapshots.map(saved => saved.snapshot.run)).toEqual([RUN_1]);

    context.setStatus('restarting');
    await settle();
    expect(store.ended).toEqual([
      {
        path: 'analysis/echo.ipynb',
        run: frontendRunId(SESSION, 2),
        status: 'finished'
      }
    ]);
    expect(capture.model.run?.status).toBe('finished');
  });
});
