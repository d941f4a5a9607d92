/**
 * `npm run fuzz`: the fuzz harness (harness.ts) over 1,000,000 inputs by default; prints the
 * report (crashes, peak memory) and exits 1 if anything crashed.
 *
 *   npm run fuzz                                     # build, then 1,000,000 inputs, random seed
 *   node dist/bench/fuzz/run.js --inputs 20000 --seed 42
 *   node dist/bench/fuzz/run.js --only cbor-messages,config
 *   node dist/bench/fuzz/run.js --only <target> --seed <crash seed> --path <crash path>   # replay
 *
 * Run with `node --expose-gc` for heap figures measured after a full collection.
 */
import { parseArgs } from 'node:util';
import { formatFuzzReport, fuzzTargetNames, runFuzz } from './harness.js';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    only: { type: 'string' },
    path: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

if (values.list) {
  process.stdout.write(`${fuzzTargetNames().join('\n')}\n`);
  process.exit(0);
}

const inputs = Number(values.inputs);
if (!Number.isInteger(inputs) || inputs < 1) {
  process.stderr.write(`fuzz: --inputs must be a positive integer, got ${values.inputs}\n`);
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const only = values.only
  ?.split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
const report = await runFuzz({
  inputs,
  seed,
  ...(only === undefined ? {} : { only }),
  ...(values.path === undefined ? {} : { path: values.path }),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${formatFuzzReport(report)}\n`);
process.exit(report.crashes === 0 ? 0 : 1);
