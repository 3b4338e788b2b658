#!/usr/bin/env node
// Runs every test/*.test.ts with node:test through tsx. Node 20 does not glob
// .ts files itself, so the list is made here. Extra arguments go to node --test
// (e.g. `npm test -- --test-name-pattern=matrix`); file names select files.
// First it installs the system packages the tests use (scripts/install-test-deps.sh:
// quick when they are present); where it cannot, that script says what to run
// in one line and the tests do not start.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const deps = spawnSync('bash', [join(root, 'scripts', 'install-test-deps.sh')], { cwd: root, stdio: 'inherit' });
if (deps.status !== 0) process.exit(deps.status ?? 1);
const args = process.argv.slice(2);
const picked = args.filter((a) => a.endsWith('.test.ts'));
const flags = args.filter((a) => !a.endsWith('.test.ts'));
const files = picked.length > 0 ? picked : readdirSync(join(root, 'test')).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', f));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...flags, ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
