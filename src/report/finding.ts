// A leaf: summary.md, report.html and the reference findings (references.ts) share these shapes.

/** A table of findings, rendered the same way by summary.md and report.html. */
export interface FindingsTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Right-aligned (numeric) columns. */
  readonly numeric: readonly boolean[];
}

/** One part of the report: a heading, sentences, and at most one table. */
export interface Finding {
  readonly id: string;
  readonly title: string;
  readonly before: readonly string[];
  readonly table: FindingsTable | null;
  readonly after: readonly string[];
}
