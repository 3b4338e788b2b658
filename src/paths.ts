import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The project's root folder (where package.json is), wherever the CLI is run from. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_FIXTURES_DIR = join(PROJECT_ROOT, 'fixtures');
export const DEFAULT_RESULTS_DIR = join(PROJECT_ROOT, 'results');
