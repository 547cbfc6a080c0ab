import type { KernelMessage } from '@jupyterlab/services';

/**
 * Builds an execution's nbformat outputs from its IOPub messages, as a
 * notebook would show them: streams of the same name merged, `clear_output`
 * honoured (at once, or at the next output when it says wait).
 */
export class OutputCollector {
  /**
   * Take one IOPub message of the execution.
   */
  add(message: KernelMessage.IIOPubMessage): void {
    const content = message.content as Record<string, unknown>;
    switch (message.header.msg_type) {
      case 'stream':
        this._clearIfWaiting();
        this._stream(String(content.name), String(content.text ?? ''));
        break;
      case 'display_data':
      case 'execute_result':
      case 'error':
        this._clearIfWaiting();
        this._outputs.push({
          output_type: message.header.msg_type,
          ...withoutTransient(content)
        });
        break;
      case 'clear_output':
        if (content.wait) {
          this._clearWaiting = true;
        } else {
          this._outputs.length = 0;
        }
        break;
      default:
        // status, execute_input, comms: not outputs.
        break;
    }
  }

  /**
   * The outputs so far, as nbformat JSON.
   */
  get outputs(): Record<string, unknown>[] {
    return this._outputs.map(output => ({ ...output }));
  }

  private _stream(name: string, text: string): void {
    const last = this._outputs[this._outputs.length - 1];
    if (last && last.output_type === 'stream' && last.name === name) {
      last.text = String(last.text) + text;
    } else {
      this._outputs.push({ output_type: 'stream', name, text });
    }
  }

  private _clearIfWaiting(): void {
    if (this._clearWaiting) {
      this._outputs.length = 0;
      this._clearWaiting = false;
    }
  }

  private _clearWaiting = false;
  private readonly _outputs: Record<string, unknown>[] = [];
}

/**
 * Message content without `transient` (display ids), which nbformat does
 * not keep.
 */
function withoutTransient(
  content: Record<string, unknown>
): Record<string, unknown> {
  const rest = { ...content };
  delete rest.transient;
  return rest;
}
