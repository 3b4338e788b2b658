import type { ConfigKey, RawValue } from './schema.ts';

// A leaf: the preset files in bench/ need only this shape, not the loading in presets.ts.

/** A preset: a named set of settings, in the same keys and spelling as a config file. */
export interface Preset {
  readonly description: string;
  readonly settings: Readonly<Partial<Record<ConfigKey, RawValue>>>;
  /**
   * More sweeps run in the same run, each `settings` with its own axes on top
   * (e.g. the quick preset's shutdown sweep beside its chunk x suite sweep).
   */
  readonly sweeps?: readonly {
    readonly name: string;
    readonly settings: Readonly<Partial<Record<ConfigKey, RawValue>>>;
  }[];
}
