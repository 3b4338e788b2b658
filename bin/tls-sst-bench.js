#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so `npx tls-sst-bench` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('./presets.ts');
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
