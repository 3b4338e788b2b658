#!/usr/bin/env node
// `npm run check:cycles`: the module layering of src/ (issue 16). Fails, naming
// each offender, when
// - any import cycle runs through src/ (dpdm, type-only imports included: a
//   cycle of types is still two modules that cannot be read one at a time);
// - a file under src/ imports bench/: the presets there are handed to src/ by
//   the CLI entry (bin/presets.ts), so src/ never depends on the product
//   owner's preset files;
// - a file under src/ outside src/protocols/kvrocks/ names Kvrocks: imports
//   its code, or has a string literal with the word in it (a message, a
//   message type, a `protocol === 'kvrocks'`). Only src/protocols/registry.ts
//   may, as it lists the protocols: the rest asks the registry (the
//   `--protocol kvrocks` value and every Kvrocks-only word the user sees come
//   from the protocol's own folder). Comments may say the word: they explain.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const bench = join(root, 'bench');
/** The one protocol folder that may name itself, and the registry that lists it. */
const KVROCKS = join(src, 'protocols', 'kvrocks');
const REGISTRY = join(src, 'protocols', 'registry.ts');
let failed = false;

const dpdm = join(root, 'node_modules', '.bin', 'dpdm');
const cycles = spawnSync(
  dpdm,
  ['--no-warning', '--no-tree', '--no-progress', '--exit-code', 'circular:1', 'src/**/*.ts'],
  { cwd: root, stdio: 'inherit' },
);
if (cycles.status !== 0) {
  console.error(`check:cycles: import cycles through src/ (listed above; dpdm exit ${cycles.status ?? cycles.signal})`);
  failed = true;
}

// Static imports, re-exports and import(): every module specifier in quotes after `from`, `import` or `import(`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;
const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .sort();
const inside = (path, dir) => path === dir || path.startsWith(dir + sep);
for (const file of files) {
  const path = join(src, file);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const mayNameKvrocks = inside(path, KVROCKS) || path === REGISTRY;
  /** `line:specifier` of every import: judged as imports, not again as strings. */
  const specifiers = new Set();
  lines.forEach((line, i) => {
    for (const m of line.matchAll(SPECIFIER)) {
      const spec = m[1];
      specifiers.add(`${i + 1}:${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(path), spec);
      if (inside(target, bench)) {
        console.error(
          `check:cycles: ${relative(root, path)}:${i + 1} imports ${spec}: src/ must not import bench/ (the ` +
            `CLI entry, bin/presets.ts, hands the presets to src/)`,
        );
        failed = true;
      }
      if (!mayNameKvrocks && inside(target, KVROCKS)) {
        console.error(
          `check:cycles: ${relative(root, path)}:${i + 1} imports ${spec}: only src/protocols/registry.ts may ` +
            `import the kvrocks protocol (ask the registry)`,
        );
        failed = true;
      }
    }
  });
  if (mayNameKvrocks) continue;
  for (const { line, literal } of stringLiterals(text)) {
    if (specifiers.has(`${line}:${literal.slice(1, -1)}`)) continue;
    if (/kvrocks/i.test(literal)) {
      console.error(
        `check:cycles: ${relative(root, path)}:${line} names Kvrocks in ` +
          `${literal.length > 60 ? `${literal.slice(0, 57)}...` : literal}: only src/protocols/kvrocks/ and the ` +
          `registry may (ask the registry, or move it into the protocol)`,
      );
      failed = true;
    }
  }
}

if (failed) process.exit(1);
console.log(
  `check:cycles: no import cycle through src/, none of its ${files.length} files imports bench/, and outside ` +
    `src/protocols/kvrocks/ only the registry names Kvrocks`,
);

/**
 * The string literals of a TypeScript file (quotes included), with the line
 * each starts on; comments are skipped. A small scanner, not a parser: a
 * `/` starts a regular expression where an operand may begin (after an
 * operator, a bracket or a keyword-free line start), else it is a division.
 */
function stringLiterals(text) {
  const out = [];
  let line = 1;
  let lastSignificant = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      line++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      i--;
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (let j = i; j < stop; j++) if (text[j] === '\n') line++;
      i = stop - 1;
      continue;
    }
    if (ch === '/' && (lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant))) {
      // a regular expression literal: skip it (classes may hold a slash)
      let inClass = false;
      for (i++; i < text.length && text[i] !== '\n'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        else if (text[i] === '/' && !inClass) break;
      }
      lastSignificant = '/';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const start = i;
      const startLine = line;
      for (i++; i < text.length && text[i] !== ch; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
      }
      out.push({ line: startLine, literal: text.slice(start, i + 1) });
      lastSignificant = 'a';
      continue;
    }
    if (!/\s/.test(ch)) lastSignificant = /[A-Za-z0-9_$)\]]/.test(ch) ? 'a' : ch;
  }
  return out;
}
