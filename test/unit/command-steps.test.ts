import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runSteps, type CommandSteps } from '../../src/cli/command.ts';
import { handleSignals } from '../../src/cli/signals.ts';
import { isUsageError, usageError } from '../../src/errors.ts';
import { tempDir } from '../support/helpers.ts';

// The one skeleton of run, https, threshold and profile, with scripted steps: the order, and the exit code of each
// ending.

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('command-steps');
});
after(() => tmp.remove());

interface Script {
  readonly calls: string[];
  steps: CommandSteps<{ readonly out: string }, { readonly interrupted: boolean }>;
}

function script(
  over: Partial<CommandSteps<{ readonly out: string }, { readonly interrupted: boolean }>> = {},
  result = { interrupted: false },
): Script {
  const calls: string[] = [];
  return {
    calls,
    steps: {
      resolve: () => (calls.push('resolve'), { out: join(tmp.dir, 'out') }),
      check: async () => void calls.push('check'),
      out: (c) => c.out,
      fixturesDir: join(tmp.dir, 'fx'),
      prepare: async (_c, f) =>
        void calls.push(`prepare ${f.runDir === join(f.outRoot, f.runId) && f.fixturesDir === join(tmp.dir, 'fx')}`),
      run: async (_c, _f, signal) => (calls.push(`run aborted=${signal.aborted}`), result),
      interrupted: (r) => r.interrupted,
      write: async () => void calls.push('write'),
      show: () => (calls.push('show'), 0),
      finish: async () => (calls.push('finish'), 0),
      ...over,
    },
  };
}

test('every step once, in order: config, checks, folders, run, files, summary, the rest', async () => {
  const s = script();
  assert.equal(await runSteps(s.steps), 0);
  assert.deepEqual(s.calls, ['resolve', 'check', 'prepare true', 'run aborted=false', 'write', 'show', 'finish']);
});

test('numbers that are not valid (show says 1): exit 1, after the files are written, and nothing more', async () => {
  const s = script({ show: () => (s.calls.push('show'), 1) });
  assert.equal(await runSteps(s.steps), 1);
  assert.deepEqual(s.calls.slice(-2), ['write', 'show']);
});

test('a stopped run: its files and summary, then 130 (no signal came in this process), without the rest', async () => {
  const s = script({}, { interrupted: true });
  assert.equal(await runSteps(s.steps), 130);
  assert.deepEqual(s.calls.slice(-3), ['run aborted=false', 'write', 'show']);
});

test('a refusal in the checks: nothing after it, nothing written', async () => {
  const s = script({
    check: async () => {
      throw usageError('--host "x" is not accepted');
    },
  });
  await assert.rejects(runSteps(s.steps), (e: unknown) => isUsageError(e));
  assert.deepEqual(s.calls, ['resolve']);
  assert.equal(existsSync(join(tmp.dir, 'out')) && readdirSync(join(tmp.dir, 'out')).length > 0, false);
});

test('a run that throws without a stop signal throws, even when it is one that throws when stopped', async () => {
  const said: string[] = [];
  const s = script({
    run: async () => {
      throw new Error('worker died');
    },
    throwsWhenStopped: { say: (l) => void said.push(l) },
  });
  await assert.rejects(runSteps(s.steps), /worker died/);
  assert.deepEqual(said, []);
  assert.equal(s.calls.includes('write'), false);
});

// Last: a signal received stays received for the rest of this process.
test("a run that throws once stopped (threshold's search): 'interrupted', the signal's exit code, nothing written", async () => {
  handleSignals();
  const said: string[] = [];
  const s = script({
    run: async (_c, _f, signal) => {
      // The signal is handled on a later turn of the event loop; a timer keeps the loop alive until then.
      const alive = setInterval(() => undefined, 1000);
      process.kill(process.pid, 'SIGTERM');
      await new Promise((resolve) => (signal.aborted ? resolve(null) : signal.addEventListener('abort', resolve)));
      clearInterval(alive);
      throw new Error('interrupted');
    },
    throwsWhenStopped: { say: (l) => void said.push(l) },
  });
  assert.equal(await runSteps(s.steps), 130);
  assert.deepEqual(said, ['interrupted']);
  assert.deepEqual(s.calls, ['resolve', 'check', 'prepare true']);
});
