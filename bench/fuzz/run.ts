/**
 * `npm run fuzz`: the fuzz harness (harness.ts) over 1,000,000 inputs by default, then the live
 * names differential against the reference agent (names/names-fuzz.ts) over 1,000,000 more;
 * prints both reports and exits 1 if anything crashed or broke a rule.
 *
 *   npm run fuzz                                     # build, then 1,000,000 + 1,000,000 inputs, random seed
 *   node dist/bench/fuzz/run.js --inputs 20000 --names 4000 --seed 42
 *   node dist/bench/fuzz/run.js --only cbor-messages,config     # in-process targets only
 *   node dist/bench/fuzz/run.js --only names --names 100000     # the names differential only
 *   node dist/bench/fuzz/run.js --only <target> --seed <crash seed> --path <crash path>   # replay
 *
 * Run with `node --expose-gc` for heap figures measured after a full collection.
 */
import { parseArgs } from 'node:util';
import { killAllChildren } from '../e2e/children.js';
import { formatFuzzReport, fuzzTargetNames, runFuzz } from './harness.js';
import { formatNamesFuzzReport, namesFuzzSupport, runNamesFuzz } from './names/names-fuzz.js';

/** The live differential's name in `--only`. */
const NAMES = 'names';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    names: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    only: { type: 'string' },
    path: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

if (values.list) {
  process.stdout.write(`${[...fuzzTargetNames(), NAMES].join('\n')}\n`);
  process.exit(0);
}

// The names differential runs agent processes: Ctrl-C must not leave them behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
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
const namesInputs = Number(values.names);
if (!Number.isInteger(namesInputs) || namesInputs < 0) {
  process.stderr.write(`fuzz: --names must be a whole number, got ${values.names}\n`);
  process.exit(2);
}
const inProcess = only?.filter((name) => name !== NAMES);
let failed = false;
if (only === undefined || (inProcess?.length ?? 0) > 0) {
  const report = await runFuzz({
    inputs,
    seed,
    ...(inProcess === undefined ? {} : { only: inProcess }),
    ...(values.path === undefined ? {} : { path: values.path }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatFuzzReport(report)}\n`);
  failed ||= report.crashes > 0;
}
if ((only === undefined || only.includes(NAMES)) && namesInputs > 0) {
  const support = await namesFuzzSupport();
  if (!support.ok) {
    process.stdout.write(`\nNames differential not run: ${support.reason}\n`);
    failed ||= only?.includes(NAMES) === true;
  } else {
    const report = await runNamesFuzz({
      inputs: namesInputs,
      seed,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`\n${formatNamesFuzzReport(report)}\n`);
    failed ||= report.problems.length > 0;
  }
}
process.exit(failed ? 1 : 0);
