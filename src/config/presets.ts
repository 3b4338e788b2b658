import type { RawConfig } from './schema.ts';
import { usageError } from '../errors.ts';
import type { HttpsPreset } from '../protocols/https/config.ts';
import type { Preset } from './preset-types.ts';

export type { Preset } from './preset-types.ts';

/**
 * The presets are the product owner's files in bench/; src/ never imports bench/
 * (no cycle through it). The CLI entry (bin/presets.ts) hands them over before main() runs.
 */
let registered: {
  readonly run: Readonly<Record<string, Preset>>;
  readonly https: Readonly<Record<string, HttpsPreset>>;
} | null = null;

export function registerPresets(
  run: Readonly<Record<string, Preset>>,
  https: Readonly<Record<string, HttpsPreset>>,
): void {
  registered = { run, https };
}

function presets(): NonNullable<typeof registered> {
  if (registered === null)
    throw new Error('no presets registered: the CLI entry (bin/presets.ts) hands them to src/ before main() runs');
  return registered;
}

/** The https command's presets (bench/https.ts). */
export function httpsPresets(): Readonly<Record<string, HttpsPreset>> {
  return presets().https;
}

export function presetNames(): string[] {
  return Object.keys(presets().run);
}

export function loadPreset(name: string): Preset {
  const preset = presets().run[name];
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
