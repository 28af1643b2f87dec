// The benchmark harness's shared tools, for scenarios in loadtests/bench/scenarios/ (see loadtests/README.md).
export { runWrk, parseWrk, WrkError } from './wrk.mjs';
export { startProcess, waitForPort, ProcessError, groupCpuMs } from './process.mjs';
export { freePort } from './ports.mjs';
export { helloUpstream } from './upstream.mjs';
export { constantLoad, underLoad } from './load.mjs';
export { interleave, median, medianRun, pairedRatio } from './measure.mjs';
export { verdict, formatTable, tableRows } from './report.mjs';
