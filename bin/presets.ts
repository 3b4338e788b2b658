// The CLI hands the presets (bench/, where the product's owner keeps them) to src/, which never imports bench/.
import { HTTPS_PRESETS } from '../bench/https.ts';
import { PRESETS } from '../bench/index.ts';
import { registerPresets } from '../src/config/presets.ts';

registerPresets(PRESETS, HTTPS_PRESETS);
