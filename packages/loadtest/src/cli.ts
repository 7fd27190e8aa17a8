#!/usr/bin/env node
import { openFilesLimit } from './fd-limit';
import { parseOptions, usage, UsageError } from './options';
import { FAULT_SUMMARY_HEADER, faultSummaryRow } from './report';
import { runLoadtest } from './run-loadtest';

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  // Each session is a socket in its shard's process, beside the pool's connections.
  const needed =
    Math.ceil((options.users * (1 + options.shares.secondTab)) / Math.max(1, options.shards)) +
    options.connections * options.gateways +
    500;
  const limit = openFilesLimit();
  if (limit !== undefined && limit < needed)
    console.warn(`warning: open files limit ${limit} < ${needed} per process; use more --shards or raise ulimit -n`);

  const { report, files } = await runLoadtest(options, console.log, { handleSignals: true });
  const f = report.figures;
  console.log('');
  console.log(`admission ${f.admission.reqPerSec} req/s; hello-world ${f.baseline?.reqPerSec ?? 'n/a'} req/s; ratio ${f.ratio ?? 'n/a'}`);
  console.log(
    `click → pushed p50/p95/p99 ${f.endToEnd.clickToPushed ? `${f.endToEnd.clickToPushed.p50}/${f.endToEnd.clickToPushed.p95}/${f.endToEnd.clickToPushed.p99} ms` : 'n/a'}; sold out in ${f.sellOut.lastOrderMs ?? 'n/a'} ms`,
  );
  for (const invariant of report.invariants) {
    console.log(`${invariant.status.toUpperCase().padEnd(4)} ${invariant.name}: ${invariant.details}`);
    for (const example of invariant.examples ?? []) console.log(`       ${example}`);
  }
  if (report.faults.injected.length) console.log(['faults:', ...FAULT_SUMMARY_HEADER, faultSummaryRow(report)].join('\n'));
  console.log(`report: ${files.join(', ')}`);
  console.log(report.passed ? 'every invariant holds' : 'INVARIANTS FAILED');
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`${error.message}\n\n${usage}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(3);
  },
);
