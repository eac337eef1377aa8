#!/usr/bin/env node
/**
 * loanrisk-audit: the reviewer's view of the decision audit trail.
 *   loanrisk-audit export --from 2026-11-01 --to 2026-11-26 [--format csv|jsonl] [--dir /data/audit]
 * --from is inclusive and --to exclusive (dates or ISO times, UTC); --dir defaults to AUDIT_DIR,
 * else ./audit. Records go to stdout, a count to stderr; bad arguments exit 2 with the reason.
 */
import { parseArgs } from 'node:util';
import { exportRange } from './audit/audit-export.js';

class UsageError extends Error {}

const USAGE = 'usage: loanrisk-audit export --from <date> --to <date> [--format csv|jsonl] [--dir <audit dir>]';

function time(name: string, text: string | undefined): Date {
  if (!text) throw new UsageError(`--${name} is required`);
  const value = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(value.getTime()))
    throw new UsageError(`--${name} must be a date (YYYY-MM-DD) or an ISO time, got "${text}"`);
  return value;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
      dir: { type: 'string' },
    },
  });
  if (positionals[0] !== 'export' || positionals.length !== 1) throw new UsageError(USAGE);
  const from = time('from', values.from);
  const to = time('to', values.to);
  if (to <= from) throw new UsageError('--to must be after --from');
  if (values.format !== 'csv' && values.format !== 'jsonl')
    throw new UsageError(`--format must be csv or jsonl, got "${values.format}"`);
  const dir = values.dir ?? process.env.AUDIT_DIR ?? 'audit';
  const count = await exportRange(dir, from, to, values.format, process.stdout);
  process.stderr.write(`loanrisk-audit: ${count} records from ${dir}\n`);
}

main().catch((err: unknown) => {
  const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`loanrisk-audit: ${(err as Error).message}\n`);
  process.exit(usage ? 2 : 1);
});
