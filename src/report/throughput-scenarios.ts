// Moved to the analysis layer; kept here for callers of the old path.
export { throughputScenarios } from '../analysis/throughput-scenarios.ts';
