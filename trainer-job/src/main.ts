/**
 * loanrisk-train: trains the late-payment model on a CSV and publishes it as a versioned ONNX
 * artifact. Exit codes: 0 published, 1 the run failed, 2 bad command line or configuration.
 */
import { parseArgs } from 'node:util';
import { ConfigError, readInteger } from '@peerloan/contracts/runtime';
import { DataError } from './errors/data-error.js';
import { ExportError } from './errors/export-error.js';
import { XGBoostError } from './errors/xgboost-error.js';
import { createReporter } from './progress-reporter.js';
import { runPeriodListing } from './period-listing.js';
import { readConfigFile, resolveConfig, type ConfigOverrides } from './training-config.js';

const USAGE = `usage: loanrisk-train --data <csv|folder> --out <dir> [--validation-data <csv>] [--baseline-model <dir>] [--config <json>]
                      [--seed N] [--folds N] [--threads N] [--termination-log <file>] [--quiet]
       loanrisk-train --list-periods <folder|file> [--termination-log <file>]

Trains on <csv> (10 feature columns + is_late) and writes <dir>/<version>/{model.onnx,
manifest.json, report.html, model-card.json}; <dir>/current names the newest version (for local
use: servers in a cluster serve the LoanRiskModel's live version, never this pointer).
--validation-data: a later labelled period; the model is still chosen by cross-validation on
<csv>, then scored on it (manifest.json outOfTime, with 95% bootstrap intervals).
--baseline-model: the live model's version folder; it and the new model are scored on the same
later-period rows (--validation-data, or a --data folder's newest period) and manifest.json
comparison gets the ROC AUC difference with a paired 95% interval and the file it was made on.
Without later rows (one CSV and no --validation-data, or a folder of one period) it is ignored
with a note: the live model trained on the training rows, so they cannot compare the two. A
folder without a manifest.json is skipped (no comparison), not an error.
--data <folder>: one CSV (or .csv.gz) per period, oldest first by name (2026Q1.csv, ...): the
model is searched on every period but the newest, scored on the newest (outOfTime), then
refitted on all of them for the published version (manifest.json data.periods, data.finalFit).
--list-periods: trains nothing; lists the period files --data would read (names, sizes,
modification times) with their fingerprint, on stdout and as the termination message (the
operator's spec.training.watchInterval).`;

function parseCli(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      'list-periods': { type: 'string' },
      'validation-data': { type: 'string' },
      'baseline-model': { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      seed: { type: 'string' },
      folds: { type: 'string' },
      threads: { type: 'string' },
      'termination-log': { type: 'string', default: '/dev/termination-log' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  return values;
}

/** --seed, --folds and --threads as whole numbers; their ranges are the configuration schema's to check. */
function numericOptions(cli: ReturnType<typeof parseCli>): ConfigOverrides {
  const options = { '--seed': cli.seed, '--folds': cli.folds, '--threads': cli.threads };
  const overrides: ConfigOverrides = {};
  const seed = readInteger(options, '--seed', undefined);
  const folds = readInteger(options, '--folds', undefined);
  const threads = readInteger(options, '--threads', undefined);
  if (seed !== undefined) overrides.seed = seed;
  if (folds !== undefined) overrides.folds = folds;
  if (threads !== undefined) overrides.threads = threads;
  return overrides;
}

async function main(): Promise<number> {
  let cli: ReturnType<typeof parseCli>;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`loanrisk-train: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const listed = cli['list-periods'];
    if (listed !== undefined) {
      await runPeriodListing(listed, cli['termination-log']);
      return 0;
    }
    if (!cli.data) throw new ConfigError('--data', 'a training CSV (required)');
    if (!cli.out) throw new ConfigError('--out', 'the models folder to publish to (required)');
    const fromFile = cli.config ? await readConfigFile(cli.config) : {};
    const config = resolveConfig(fromFile, numericOptions(cli));
    const reporter = createReporter({ quiet: cli.quiet });
    // Loaded only to train: the listing pod, started every watchInterval, needs neither XGBoost nor onnxruntime.
    const { runTraining } = await import('./training-run.js');
    const { summary } = await runTraining(
      {
        dataPath: cli.data,
        validationPath: cli['validation-data'],
        baselineDir: cli['baseline-model'],
        outRoot: cli.out,
        config,
        terminationLog: cli['termination-log'],
      },
      reporter,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`loanrisk-train: ${err.message}\n`);
      return 2;
    }
    if (err instanceof DataError || err instanceof ExportError || err instanceof XGBoostError) {
      process.stderr.write(`loanrisk-train: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main();
