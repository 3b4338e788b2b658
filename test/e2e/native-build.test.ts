import assert from 'node:assert/strict';
import { appendFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { NativeProgram } from '../../src/runner/native-build.ts';
import { OPENSSL_NATIVE } from '../../src/runner/openssl-native.ts';
import { tempDir } from '../support/helpers.ts';

// The compile of a C peer reads peers/peer-common.h from beside the source (a
// quoted include, no -I): a copy of peers/ whose header is broken fails the
// build of the copy, under a key never built before. The keys themselves:
// test/unit/native-build.test.ts.
let tmp: { dir: string; remove: () => Promise<void> };

before(async () => {
  const missing = OPENSSL_NATIVE.missingToolchain();
  if (missing !== null) throw new Error(`needs ${missing}`);
  tmp = await tempDir('native-build');
  for (const f of ['openssl-native.c', 'peer-common.h'])
    await copyFile(join(PROJECT_ROOT, 'peers', f), join(tmp.dir, f));
});
after(() => tmp.remove());

test("the compiler reads peer-common.h from beside the source: a broken copy fails the copy's build", async () => {
  await appendFile(join(tmp.dir, 'peer-common.h'), '#error "the copy\'s header"\n');
  const copy = new NativeProgram(OPENSSL_NATIVE.spec, tmp.dir);
  assert.notEqual(copy.cacheKey(), OPENSSL_NATIVE.cacheKey());
  await assert.rejects(copy.binary(), /could not build .*openssl-native\.c \(exit 1\)/);
});
