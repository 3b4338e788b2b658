import assert from 'node:assert/strict';
import { appendFile, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { GNUTLS_SENDER } from '../../src/runner/gnutls-sender-build.ts';
import { buildInputs, NativeProgram } from '../../src/runner/native-build.ts';
import { OPENSSL_NATIVE } from '../../src/runner/openssl-native.ts';
import { tempDir } from '../support/helpers.ts';

// The C peers share peers/peer-common.h: the cached binary's key must cover it
// (an edit of it rebuilds both peers). Checked on a copy of peers/ in a temp
// dir, so the real files are never touched; nothing is compiled here (that the
// compiler reads the header beside the source: test/e2e/native-build.test.ts).
const PEERS = join(PROJECT_ROOT, 'peers');
const FILES = ['openssl-native.c', 'gnutls-sender.c', 'peer-common.h'];

let tmp: { dir: string; remove: () => Promise<void> };
let openssl: NativeProgram;
let gnutls: NativeProgram;

before(async () => {
  tmp = await tempDir('native-build');
  for (const f of FILES) await copyFile(join(PEERS, f), join(tmp.dir, f));
  openssl = new NativeProgram(OPENSSL_NATIVE.spec, tmp.dir);
  gnutls = new NativeProgram(GNUTLS_SENDER.spec, tmp.dir);
});
after(() => tmp.remove());

test('each peer is built from its source and peer-common.h', () => {
  assert.deepEqual(buildInputs(OPENSSL_NATIVE.source), [join(PEERS, 'openssl-native.c'), join(PEERS, 'peer-common.h')]);
  assert.deepEqual(buildInputs(GNUTLS_SENDER.source), [join(PEERS, 'gnutls-sender.c'), join(PEERS, 'peer-common.h')]);
});

test('the key is of the files, not of where they are: a copy has the real keys', () => {
  assert.equal(openssl.cacheKey(), OPENSSL_NATIVE.cacheKey());
  assert.equal(gnutls.cacheKey(), GNUTLS_SENDER.cacheKey());
  assert.notEqual(openssl.cacheKey(), gnutls.cacheKey());
  assert.match(openssl.cacheKey(), /^[0-9a-f]{16}$/);
});

/** Appends a comment to one file of the copy, runs `check`, then puts the file back as it was. */
async function edited(file: string, check: () => void): Promise<void> {
  const path = join(tmp.dir, file);
  const original = await readFile(path);
  await appendFile(path, '/* an edit */\n');
  try {
    check();
  } finally {
    await writeFile(path, original);
  }
}

/** Which peers' keys an edit of each file changes: the shared header both, a source its own. */
const EDITS: readonly { file: string; changes: readonly string[] }[] = [
  { file: 'peer-common.h', changes: ['openssl-native', 'gnutls-sender'] },
  { file: 'openssl-native.c', changes: ['openssl-native'] },
  { file: 'gnutls-sender.c', changes: ['gnutls-sender'] },
];

for (const { file, changes } of EDITS) {
  test(`an edit of ${file} changes the key of ${changes.join(' and ')} only; undoing it restores it`, async () => {
    const programs = [openssl, gnutls];
    const keys = programs.map((p) => p.cacheKey());
    await edited(file, () => {
      const changed = programs.filter((p, i) => p.cacheKey() !== keys[i]).map((p) => p.spec.name);
      assert.deepEqual(changed, changes);
    });
    assert.deepEqual(
      programs.map((p) => p.cacheKey()),
      keys,
    );
  });
}
