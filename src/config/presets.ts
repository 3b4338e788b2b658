import type { RawConfig, RawValue, ConfigKey } from './schema.ts';
import { usageError } from '../errors.ts';
import { PRESETS } from '../../bench/index.ts';

/** A preset: a named set of settings, in the same keys and spelling as a config file. */
export interface Preset {
  readonly description: string;
  readonly settings: Readonly<Partial<Record<ConfigKey, RawValue>>>;
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
