import type { RawConfig, RawValue, ConfigKey } from './schema.ts';
import { usageError } from '../errors.ts';
import { PRESETS } from '../../bench/index.ts';

/** A preset: a named set of settings, in the same keys and spelling as a config file. */
export interface Preset {
  readonly description: string;
  readonly settings: Readonly<Partial<Record<ConfigKey, RawValue>>>;
  /**
   * More sweeps run in the same run, each `settings` with its own axes on top
   * (e.g. the quick preset's shutdown sweep beside its chunk x suite sweep).
   */
  readonly sweeps?: readonly { readonly name: string; readonly settings: Readonly<Partial<Record<ConfigKey, RawValue>>> }[];
}

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function loadPreset(name: string): Preset {
  const preset = (PRESETS as Readonly<Record<string, Preset>>)[name];
  if (!preset) throw usageError(`--preset "${name}" is not a preset: expected one of ${presetNames().join(', ')}`);
  return preset;
}

export function presetLayer(name: string): { where: string; raw: RawConfig } {
  return { where: `preset ${name}`, raw: loadPreset(name).settings };
}

/** The extra sweeps of a preset, as layers that go right above its settings. */
export function sweepLayers(name: string): { where: string; raw: RawConfig }[] {
  return (loadPreset(name).sweeps ?? []).map((s) => ({ where: `preset ${name} sweep ${s.name}`, raw: s.settings }));
}
