import * as v from 'valibot';

/**
 * Shared helpers for the valibot schemas that guard what comes from outside
 * the process: the agent's control channel (src/agent/schemas.ts) and
 * results.json (src/results-schema.ts).
 */

/** A JSON number that is a real measurement: finite (JSON has no Infinity, but 1e308 * 10 does). */
export const finite = v.pipe(v.number(), v.finite('a finite number'));
export const nonNegativeInt = v.pipe(v.number(), v.safeInteger('a whole number'), v.minValue(0, 'a number >= 0'));
/** A TCP port, or 0 for "any". */
export const port = v.pipe(
  v.number(),
  v.integer('a port number'),
  v.minValue(0, 'a port number'),
  v.maxValue(65535, 'a port number <= 65535'),
);
/** Free text from a peer, bounded so one message cannot fill a log. */
export const text = (maxLength = 4096) => v.pipe(v.string(), v.maxLength(maxLength, `at most ${maxLength} characters`));

/** Where in the value the first problem is, as code would write it: `records[3].outcome.kind`. */
function issuePath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'the value' : out;
}

/** One line naming the first thing wrong: where, what it holds, what is accepted. */
export function describeIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  // The deepest issue of a union says most (the branch that almost matched).
  let issue = issues[0]!;
  while (issue.issues && issue.issues.length > 0) issue = issue.issues[0]!;
  if (issue.received === 'undefined') return `${issuePath(issue)} is missing`;
  // A validation action (finite, maxLength) carries its own words in `message`; `received` is what it measured.
  if (issue.kind === 'validation') return `${issuePath(issue)}: expected ${issue.message}, got ${issue.received}`;
  return `${issuePath(issue)} is ${issue.received}: expected ${issue.expected ?? issue.message}`;
}

/** The value, parsed; or throws `fail(line)` with one line naming the first problem. */
export function parseWith<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  fail: (line: string) => Error,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw fail(describeIssue(result.issues));
  return result.output;
}
