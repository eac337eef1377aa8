/**
 * The loanrisk-models command (npx loanrisk-models): acts as the user of the current kubeconfig.
 *
 *   loanrisk-models approve -n NAMESPACE NAME VERSION [--evidence TEXT]
 *   loanrisk-models reject  -n NAMESPACE NAME VERSION [--evidence TEXT]
 *   loanrisk-models inventory [-n NAMESPACE] [--format csv|json]
 *
 * Exit 0: done; 1: refused (nothing changed), with the reason on stderr; 2: usage.
 */
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { apiMessage, decide } from './decide.js';
import { inventory, INVENTORY_FORMATS, type InventoryFormat } from './inventory.js';
import { RefusedError } from './refused-error.js';

const USAGE = `usage:
  loanrisk-models approve -n NAMESPACE NAME VERSION [--evidence TEXT]
  loanrisk-models reject  -n NAMESPACE NAME VERSION [--evidence TEXT]
  loanrisk-models inventory [-n NAMESPACE] [--format csv|json]`;

class UsageError extends Error {}

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

async function run(argv: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      evidence: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) return USAGE;
  if (command === 'approve' || command === 'reject') {
    const [model, version] = rest;
    const namespace = values.namespace ?? kubeConfig().getContextObject(kubeConfig().currentContext)?.namespace;
    if (!model || !version || rest.length > 2 || !namespace)
      throw new UsageError(`${command} needs -n NAMESPACE NAME VERSION`);
    const decision = command === 'approve' ? 'approve' : 'reject';
    return await decide(kubeConfig(), { namespace, model, version, decision, evidence: values.evidence });
  }
  if (command === 'inventory') {
    const format = values.format as InventoryFormat;
    if (!INVENTORY_FORMATS.includes(format)) throw new UsageError(`--format is one of ${INVENTORY_FORMATS.join(', ')}`);
    return await inventory(kubeConfig(), values.namespace, format);
  }
  throw new UsageError(command ? `unknown command ${command}` : 'no command');
}

try {
  process.stdout.write(`${(await run(process.argv.slice(2))).trimEnd()}\n`);
} catch (err) {
  if (err instanceof RefusedError) {
    process.stderr.write(`loanrisk-models: refused: ${err.message}\n`);
    process.exitCode = 1;
  } else if (
    err instanceof UsageError ||
    (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
  ) {
    process.stderr.write(`loanrisk-models: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (apiMessage(err)) {
    process.stderr.write(`loanrisk-models: refused: the API server answered ${apiMessage(err)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`loanrisk-models: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
