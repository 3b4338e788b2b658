// The CLI's main() in this process, as bin/tls-sst-bench.js runs it (presets handed over first).
import '../../bin/presets.ts';
import { main } from '../../src/cli/main.ts';
import type { CliResult } from './helpers.ts';

/**
 * What runCli gives (exit code, stdout, stderr) without starting a process:
 * main() with its output captured and an exit that only records its code.
 * For what happens before a command starts its work (bad input, --version);
 * signals, process exits and worker processes stay in test/e2e/.
 */
export async function runMain(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let exited: number | null = null;
  const code = await main(args, {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    exit: (c) => void (exited ??= c),
  });
  return { code: exited ?? code, stdout, stderr };
}
