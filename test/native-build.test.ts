import assert from 'node:assert/strict';
import { appendFile, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT } from '../src/paths.ts';
import { GNUTLS_SENDER } from '../src/runner/gnutls-sender-build.ts';
import { buildInputs, NativeProgram } from '../src/runner/native-build.ts';
import { OPENSSL_NATIVE } from '../src/runner/openssl-native.ts';
import { tempDir } from './helpers.ts';

// The C peers share peers/peer-common.h: the cached binary's key must cover it
// (an edit of it rebuilds both peers), and the build must read it from beside
// the source. Checked on a copy of peers/ in a temp dir, so the real cache
// keys are never disturbed.
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

test('an edit of peer-common.h changes both keys; undoing it restores them', async () => {
  const header = join(tmp.dir, 'peer-common.h');
  const original = await readFile(header);
  const before = { openssl: openssl.cacheKey(), gnutls: gnutls.cacheKey() };
  await appendFile(header, '/* an edit */\n');
  assert.notEqual(openssl.cacheKey(), before.openssl);
  assert.notEqual(gnutls.cacheKey(), before.gnutls);
  await writeFile(header, original);
  assert.equal(openssl.cacheKey(), before.openssl);
  assert.equal(gnutls.cacheKey(), before.gnutls);
});

test("an edit of one peer's source changes its key only", async () => {
  const source = join(tmp.dir, 'gnutls-sender.c');
  const original = await readFile(source);
  const before = { openssl: openssl.cacheKey(), gnutls: gnutls.cacheKey() };
  await appendFile(source, '/* an edit */\n');
  assert.notEqual(gnutls.cacheKey(), before.gnutls);
  assert.equal(openssl.cacheKey(), before.openssl);
  await writeFile(source, original);
  assert.equal(gnutls.cacheKey(), before.gnutls);
});

test('the compiler reads peer-common.h from beside the source: a broken copy fails the build of the copy', async (t) => {
  if (OPENSSL_NATIVE.missingToolchain() !== null) return t.skip(`needs ${OPENSSL_NATIVE.missingToolchain()}`);
  const header = join(tmp.dir, 'peer-common.h');
  const original = await readFile(header);
  await appendFile(header, '#error "the copy\'s header"\n');
  try {
    // A new key (never built), and the compile stops at the copy's header.
    await assert.rejects(openssl.binary(), (err: Error) => {
      assert.match(err.message, /could not build .*openssl-native\.c \(exit 1\)/);
      return true;
    });
  } finally {
    await writeFile(header, original);
  }
});
