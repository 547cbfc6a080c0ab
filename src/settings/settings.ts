import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { IRunsSettings, Runs } from '../tokens';
import { DEFAULT_CONFIG, parseConfig, sameConfig } from './config';

/**
 * The settings service: reads the plugin settings into a validated
 * configuration and follows the user's edits.
 */
export class RunsSettings implements IRunsSettings, IDisposable {
  /**
   * @param source - The loaded plugin settings, or `null` when they could not
   * be loaded, in which case the defaults apply for the whole session.
   */
  constructor(source: ISettingRegistry.ISettings | null) {
    this._source = source;
    this._config = source ? this._read(source) : DEFAULT_CONFIG;
    source?.changed.connect(this._onSourceChanged, this);
  }

  get config(): Runs.Config {
    return this._config;
  }

  get changed(): ISignal<IRunsSettings, Runs.Config> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._source?.changed.disconnect(this._onSourceChanged, this);
    Signal.clearData(this);
  }

  private _onSourceChanged(source: ISettingRegistry.ISettings): void {
    const next = this._read(source);
    if (sameConfig(next, this._config)) {
      return;
    }
    this._config = next;
    this._changed.emit(next);
  }

  private _read(source: ISettingRegistry.ISettings): Runs.Config {
    const { config, warnings } = parseConfig(source.composite);
    for (const warning of warnings) {
      console.warn(warning);
    }
    return config;
  }

  private _config: Runs.Config;
  private _changed = new Signal<IRunsSettings, Runs.Config>(this);
  private _isDisposed = false;
  private readonly _source: ISettingRegistry.ISettings | null;
}
