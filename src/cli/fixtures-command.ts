import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FIXTURE_PROFILES, type FixtureProfile } from '../fixtures/types.ts';
import { FixtureCache } from '../fixtures/cache.ts';
import { SIZE_BOUNDS } from '../config/schema.ts';
import { humanBytes, parseBytesList } from '../config/units.ts';
import { applyLayers } from '../config/layers.ts';
import { defaultsOf, option, optionTable, type RawOptions } from '../config/options.ts';
import { usageError } from '../errors.ts';
import { hex } from '../outcome.ts';
import { DEFAULT_FIXTURES_DIR } from '../paths.ts';
import { table } from '../report/terminal.ts';
import { assertWritableDir } from './run-command.ts';

function parseProfiles(text: string): FixtureProfile[] {
  return text.split(',').map((p) => {
    if ((FIXTURE_PROFILES as readonly string[]).includes(p)) return p as FixtureProfile;
    throw usageError(`--profile "${p}" is not a profile: expected one of ${FIXTURE_PROFILES.join(', ')}`);
  });
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 2 ** 31 - 1)
    throw usageError(`--seed "${text}" is not accepted: expected a whole number from 0 to ${2 ** 31 - 1}`);
  return Number(text);
}

/** The fixtures that `generate` makes: every size in every profile. */
export const FIXTURES_OPTIONS = [
  option({
    key: 'sizes',
    target: 'sizes',
    flag: '--sizes',
    valueName: 'list',
    description: 'sizes to generate, e.g. 1MB,64MB,1GB',
    parse: (t, f) => parseBytesList(t, f, SIZE_BOUNDS),
    default: '1MB,64MB',
  }),
  option({
    key: 'profile',
    target: 'profiles',
    flag: '--profile',
    valueName: 'list',
    description: 'kv | incompressible | compressible (comma-separated)',
    parse: parseProfiles,
    default: 'kv',
  }),
  option({
    key: 'seed',
    target: 'seed',
    flag: '--seed',
    valueName: 'n',
    description: 'seed',
    parse: parseSeed,
    default: '1',
  }),
];
const FIXTURES_TABLE = optionTable(FIXTURES_OPTIONS);

export type FixturesFlags = RawOptions<typeof FIXTURES_OPTIONS> & { readonly fixturesDir?: string };

function cacheOf(flags: FixturesFlags): FixtureCache {
  return new FixtureCache(flags.fixturesDir ? resolve(flags.fixturesDir) : DEFAULT_FIXTURES_DIR);
}

/** sst_dump's verdict on a file, or null when sst_dump is not installed. */
function sstDumpVerify(path: string): string | null {
  try {
    const out = execFileSync('sst_dump', [`--file=${path}`, '--command=verify', '--verify_checksum'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return /The file is ok/.test(out) ? 'ok' : `not ok: ${out.trim().split('\n').pop()}`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') return null;
    return `failed: ${(e.stderr || e.stdout || e.message).trim().split('\n').pop()}`;
  }
}

export async function fixturesCommand(
  action: string,
  flags: FixturesFlags,
  out: (line: string) => void,
): Promise<number> {
  const cache = cacheOf(flags);
  // A file where the folder should be is a mistake for every action, not an empty cache.
  const st = await stat(cache.dir).catch(() => null);
  if (st && !st.isDirectory())
    throw usageError(
      `--fixtures-dir "${flags.fixturesDir ?? cache.dir}" is not a folder: expected the fixture cache folder ` +
        `(or a path where one may be made)`,
    );
  switch (action) {
    case 'generate': {
      const { fixturesDir: _dir, ...raw } = flags;
      // Only generate reads them: list, verify and clean ignore them, as they always did.
      const { sizes, profiles, seed } = applyLayers(FIXTURES_TABLE, defaultsOf(FIXTURES_OPTIONS), [
        { where: 'flags', raw },
      ]);
      await assertWritableDir(cache.dir, '--fixtures-dir');
      await cache.assertRoomFor(
        profiles.flatMap((profile) => sizes.map((sizeBytes) => ({ sizeBytes, seed, profile }))),
      );
      for (const profile of profiles) {
        for (const sizeBytes of sizes) {
          const t0 = performance.now();
          const f = await cache.ensure({ sizeBytes, seed, profile });
          const ms = performance.now() - t0;
          out(
            `${f.name}  ${humanBytes(f.sizeBytes)}  crc32c ${hex(f.crc32c)}  ${f.dataBlocks} data blocks  (` +
              `${ms.toFixed(0)} ms)`,
          );
        }
      }
      return 0;
    }
    case 'verify': {
      const list = await cache.list();
      if (list.length === 0) out(`no fixtures in ${cache.dir}`);
      let bad = 0;
      for (const f of list) {
        const entry = await cache.entry(f.name);
        const status = entry ? await cache.status(entry) : 'missing';
        const dump = status === 'ok' ? sstDumpVerify(f.path) : null;
        if (status !== 'ok' || (dump !== null && dump !== 'ok')) bad += 1;
        out(
          `${f.name}: crc32c ` +
            `${status}${dump === null ? (status === 'ok' ? ', sst_dump not installed' : '') : `, sst_dump ${dump}`}`,
        );
      }
      return bad === 0 ? 0 : 1;
    }
    case 'list': {
      const list = await cache.list();
      if (list.length === 0) {
        out(`no fixtures in ${cache.dir} (tls-sst-bench fixtures generate --sizes 1MB,64MB)`);
        return 0;
      }
      out(
        table(
          ['name', 'size', 'bytes', 'profile', 'seed', 'crc32c', 'data blocks'],
          list.map((f) => [
            f.name,
            humanBytes(f.sizeBytes),
            String(f.sizeBytes),
            f.profile,
            String(f.seed),
            hex(f.crc32c),
            String(f.dataBlocks),
          ]),
          [false, true, true, false, true, false, true],
        ),
      );
      return 0;
    }
    case 'clean': {
      const removed = await cache.clean();
      out(`removed ${removed.length} file(s) from ${cache.dir}`);
      return 0;
    }
    default:
      throw usageError(`fixtures "${action}" is not an action: expected one of generate, verify, list, clean`);
  }
}
