import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { PartialJSONObject } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import { Signal } from '@lumino/signaling';

import type { RunsPanelModel } from './model';

/**
 * The metric columns chosen per notebook, kept in the user's settings of the
 * Runs panel (`primaryMetrics` of schema/history.json), so they follow the
 * user across browsers and can be edited in the Settings Editor.
 */
export class SettingsMetricChoices implements RunsPanelModel.IMetricChoices {
  /**
   * @param settings - The plugin's settings, once loaded: until then the
   *   default columns are shown.
   */
  constructor(settings: Promise<ISettingRegistry.ISettings>) {
    this._ready = settings.then(loaded => {
      if (!this._isDisposed) {
        this._settings = loaded;
        loaded.changed.connect(this._onSettingsChanged, this);
        this._changed.emit();
      }
      return loaded;
    });
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get(key: string): readonly string[] | null {
    const names = this._all()[key];
    return Array.isArray(names) && names.length > 0 ? names : null;
  }

  async set(key: string, names: readonly string[]): Promise<void> {
    const settings = await this._ready;
    const all: Record<string, string[]> = { ...this._all() };
    if (names.length > 0) {
      all[key] = [...names];
    } else {
      delete all[key];
    }
    await settings.set(PROPERTY, all as unknown as PartialJSONObject);
  }

  /**
   * Stop following the settings.
   */
  dispose(): void {
    this._isDisposed = true;
    this._settings?.changed.disconnect(this._onSettingsChanged, this);
    Signal.clearData(this);
  }

  private _all(): Readonly<Record<string, string[]>> {
    const value = this._settings?.composite[PROPERTY];
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, string[]>)
      : {};
  }

  private _onSettingsChanged(): void {
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private readonly _ready: Promise<ISettingRegistry.ISettings>;
  private _settings: ISettingRegistry.ISettings | null = null;
}

const PROPERTY = 'primaryMetrics';
