export { buildChartSpec, renderChartSvg, type TimelinePoint } from './chart';
export { assignBehaviours, seededRandom, type Behaviour } from './crowd';
export { fireHerd, type HerdResult, type Shot, type ShotOutcome } from './herd';
export { createHttpPool, type HttpPool } from './http-pool';
export { checkInvariants, type CrowdObservations, type InvariantResult, type StoredState } from './invariants';
export { parseOptions, usage, type LoadtestOptions } from './options';
export { REPORT_FILES, writeReport, type LoadtestReport } from './report';
export { runLoadtest, type LoadtestRun } from './run-loadtest';
