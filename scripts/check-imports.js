#!/usr/bin/env node
// `npm run check:cycles`: the module layering of src/ (issue 16). Fails, naming
// each offender, when
// - any import cycle runs through src/ (dpdm, type-only imports included: a
//   cycle of types is still two modules that cannot be read one at a time);
// - a file under src/ imports bench/: the presets there are handed to src/ by
//   the CLI entry (bin/presets.ts), so src/ never depends on the product
//   owner's preset files.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const bench = join(root, 'bench');
let failed = false;

const dpdm = join(root, 'node_modules', '.bin', 'dpdm');
const cycles = spawnSync(dpdm, ['--no-warning', '--no-tree', '--no-progress', '--exit-code', 'circular:1', 'src/**/*.ts'], { cwd: root, stdio: 'inherit' });
if (cycles.status !== 0) {
  console.error(`check:cycles: import cycles through src/ (listed above; dpdm exit ${cycles.status ?? cycles.signal})`);
  failed = true;
}

// Static imports, re-exports and import(): every module specifier in quotes after `from`, `import` or `import(`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;
const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
for (const file of files) {
  const path = join(src, file);
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    for (const m of line.matchAll(SPECIFIER)) {
      const spec = m[1];
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(path), spec);
      if (target === bench || target.startsWith(bench + sep)) {
        console.error(`check:cycles: ${relative(root, path)}:${i + 1} imports ${spec}: src/ must not import bench/ (the CLI entry, bin/presets.ts, hands the presets to src/)`);
        failed = true;
      }
    }
  });
}

if (failed) process.exit(1);
console.log(`check:cycles: no import cycle through src/, and none of its ${files.length} files imports bench/`);
