import * as v from 'valibot';
import { usageError } from './errors.ts';
import { OUTCOME_KINDS } from './outcome.ts';
import { RESULTS_JSON_VERSION } from './report/json.ts';
import type { RunResult } from './results.ts';
import { describeIssue, finite, nonNegativeInt } from './schema.ts';

/**
 * results.json as `report` and `compare` read it: one schema, so both accept
 * and refuse the same files. It checks every field the readers compute with
 * (kinds, numbers, lists) and lets the rest through unchanged (loose objects):
 * the file is our own format, read back, not a peer's message.
 */

/**
 * Faster than any link this suite can meet by orders of magnitude: a larger value is a damaged file, and its mean would
 * overflow to Infinity.
 */
const MAX_MB_PER_SEC = 1e9;
/** A day: no transfer of a run takes longer. */
const MAX_DURATION_MS = 86_400_000;

const measure = (max: number, what: string) =>
  v.nullable(v.pipe(finite, v.minValue(0, `${what} >= 0`), v.maxValue(max, `${what} <= ${max}`)));

const record = v.looseObject({
  scenarioId: v.string(),
  scenario: v.looseObject({}),
  warmup: v.boolean(),
  bytesExpected: nonNegativeInt,
  bytesReceived: nonNegativeInt,
  durationMs: measure(MAX_DURATION_MS, 'a duration in ms'),
  handshakeMs: v.optional(measure(MAX_DURATION_MS, 'a duration in ms')),
  mbPerSec: measure(MAX_MB_PER_SEC, 'a throughput in MB/s'),
  outcome: v.looseObject({
    kind: v.picklist(OUTCOME_KINDS),
    bytesExpected: v.optional(nonNegativeInt),
    bytesReceived: v.optional(nonNegativeInt),
  }),
  progress: v.optional(v.array(v.looseObject({})), []),
});

const scenario = v.looseObject({
  scenarioId: v.string(),
  scenario: v.optional(v.looseObject({})),
  outcomes: v.optional(v.record(v.picklist(OUTCOME_KINDS), nonNegativeInt)),
  sampling: v.optional(v.nullable(v.looseObject({ targetMet: v.optional(v.nullable(v.boolean())) }))),
});

export const runJsonSchema = v.looseObject({
  schemaVersion: v.literal(RESULTS_JSON_VERSION),
  context: v.looseObject({
    runId: v.string(),
    environment: v.looseObject({
      node: v.string(),
      openssl: v.optional(v.string()),
      cpuModel: v.optional(v.string()),
      cpuFlags: v.looseObject({}),
      tcpSysctls: v.looseObject({}),
    }),
    runtimes: v.optional(v.array(v.looseObject({ node: v.optional(v.string()), openssl: v.optional(v.string()) }))),
  }),
  scenarios: v.array(scenario),
  records: v.array(record),
});
export type RunJson = v.InferOutput<typeof runJsonSchema>;

/** A parsed results.json checked against the schema, or a usage error naming `where` and the first thing wrong. */
export function parseRunJson(value: unknown, where: string): RunJson {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject)
    throw usageError(
      `${where} is not a tls-sst-bench results.json: expected a JSON object { schemaVersion, context, ` +
        `scenarios, records }`,
    );
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== RESULTS_JSON_VERSION) {
    throw usageError(
      `${where} has schemaVersion ${JSON.stringify(version) ?? 'undefined'}: expected ${RESULTS_JSON_VERSION} ` +
        `(the results.json version this tls-sst-bench reads)`,
    );
  }
  const result = v.safeParse(runJsonSchema, value);
  if (!result.success)
    throw usageError(`${where} is not a tls-sst-bench results.json: ${describeIssue(result.issues)}`);
  return result.output;
}

/** For the reporters, which read the whole record: the fields the schema checks, the rest as written. */
export function parseRunResult(value: unknown, where: string): RunResult {
  return parseRunJson(value, where) as unknown as RunResult;
}
