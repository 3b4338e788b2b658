#!/usr/bin/env node
// Runs the tests in two layers with node:test through tsx: test/unit/ (in-process: no worker,
// CLI, openssl or browser process; seconds) first, then test/e2e/ (real processes). Node 20
// does not glob .ts files itself, so the lists are made here.
//   node scripts/test.js                    both layers
//   node scripts/test.js --layer=unit       one layer (npm run test:unit)
//   node scripts/test.js test/unit/x.test.ts  these files (still unit before e2e)
// Other arguments go to node --test (e.g. `npm test -- --test-name-pattern=matrix`).
// When e2e tests are to run, it first installs the system packages they use
// (scripts/install-test-deps.sh: quick when they are present); where it cannot, that script
// says what to run in one line and no test starts. The unit layer alone needs none.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LAYERS = ['unit', 'e2e'];

/** Every *.test.ts under test/, as paths relative to the project (test/unit/x.test.ts). */
function testFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const layerOf = (file) => {
  const parts = relative(root, resolve(root, file)).split(sep);
  return parts.length === 3 && parts[0] === 'test' && LAYERS.includes(parts[1]) ? parts[1] : null;
};

// A test left where no layer runs it would pass by never running: refused, loudly, before anything runs.
const stray = testFiles('test').filter((f) => layerOf(f) === null);
if (stray.length > 0) {
  for (const f of stray)
    console.error(
      `scripts/test.js: ${f} is in no test layer: move it to test/unit/ (in-process) or test/e2e/ (real processes)`,
    );
  process.exit(1);
}

const args = process.argv.slice(2);
const layerArg = args.find((a) => a.startsWith('--layer='));
const only = layerArg?.slice('--layer='.length);
if (only !== undefined && !LAYERS.includes(only)) {
  console.error(`scripts/test.js: --layer "${only}" is not a layer: expected one of ${LAYERS.join(', ')}`);
  process.exit(2);
}
const picked = args.filter((a) => a.endsWith('.test.ts'));
const flags = args.filter((a) => !a.endsWith('.test.ts') && a !== layerArg);
for (const f of picked) {
  if (layerOf(f) === null) {
    console.error(`scripts/test.js: ${f} is in no test layer: expected a file in test/unit/ or test/e2e/`);
    process.exit(2);
  }
}
const all = picked.length > 0 ? picked : testFiles('test').sort();
const runs = LAYERS.filter((l) => only === undefined || l === only)
  .map((layer) => ({ layer, files: all.filter((f) => layerOf(f) === layer) }))
  .filter((r) => r.files.length > 0);
if (runs.some((r) => r.layer === 'e2e')) {
  const deps = spawnSync('bash', [join(root, 'scripts', 'install-test-deps.sh')], { cwd: root, stdio: 'inherit' });
  if (deps.status !== 0) process.exit(deps.status ?? 1);
}
let failed = false;
for (const { layer, files } of runs) {
  console.log(`# ${layer}: ${files.length} file(s)`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', ...flags, ...files],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    console.error(`scripts/test.js: the ${layer} layer failed (exit ${result.status ?? result.signal})`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
