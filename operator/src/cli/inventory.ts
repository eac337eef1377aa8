/**
 * `loanrisk-models inventory`: every version each LoanRiskModel's status knows (live, previous,
 * candidate, status.history), one row per model and version, with the evidence the status keeps:
 * metrics with intervals for the live and the candidate record, the gate's verdict, the
 * approval, and whether it serves or what replaced it.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION, type LoanRiskModel, type ModelRecord } from '@peerloan/contracts';

export const INVENTORY_FORMATS = ['csv', 'json'] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

export interface InventoryRow {
  namespace: string;
  model: string;
  version: string;
  dataset: string;
  rocAuc?: number;
  outOfTimeRocAuc?: string;
  pairedDifference?: string;
  gate?: string;
  approval?: string;
  serving: string;
  replacedBy?: string;
}

const interval = (i: { value: number; low: number; high: number } | undefined) =>
  i && `${i.value.toFixed(4)} [${i.low.toFixed(4)}, ${i.high.toFixed(4)}]`;

function serving(model: LoanRiskModel, version: string): Pick<InventoryRow, 'serving' | 'replacedBy'> {
  const s = model.status ?? {};
  if (version === s.pinnedVersion) return { serving: 'pinned' };
  if (version === s.liveVersion) return { serving: s.pinnedVersion ? 'live (pinned over)' : 'live' };
  if (version === s.candidateVersion) return { serving: s.rollout?.phase ?? 'candidate' };
  if (version === s.previousVersion) return { serving: 'served before', replacedBy: s.liveVersion };
  return { serving: 'never' };
}

/** The rows of one model, newest decision first. */
export function inventoryRows(model: LoanRiskModel): InventoryRow[] {
  const s = model.status ?? {};
  const records = new Map<string, ModelRecord>();
  for (const r of [s.candidate, s.live]) if (r) records.set(r.version, r);
  const history = s.history ?? [];
  const versions = [
    ...new Set([s.candidateVersion, s.liveVersion, ...history.map((h) => h.version), s.previousVersion]),
  ].filter((v): v is string => !!v);
  return versions.map((version) => {
    const record = records.get(version);
    const entries = history.filter((h) => h.version === version);
    const gate = entries.find((h) => h.reason?.startsWith('QualityGate'));
    const approval = entries.find((h) => h.approval)?.approval;
    return {
      namespace: model.metadata.namespace ?? '',
      model: model.metadata.name ?? '',
      version,
      dataset: model.spec.dataset.path,
      rocAuc: record?.metrics.rocAuc ?? entries.at(0)?.rocAuc,
      outOfTimeRocAuc: interval(record?.outOfTime?.rocAuc),
      pairedDifference: interval(record?.comparison?.difference),
      gate: gate && `${gate.outcome} ${gate.time}`,
      approval: approval && `${approval.decision} by ${approval.user} at ${approval.time}`,
      ...serving(model, version),
    };
  });
}

const COLUMNS: Array<keyof InventoryRow> = [
  'namespace',
  'model',
  'version',
  'dataset',
  'rocAuc',
  'outOfTimeRocAuc',
  'pairedDifference',
  'gate',
  'approval',
  'serving',
  'replacedBy',
];

const csvCell = (v: string | number | undefined) => {
  const text = v === undefined ? '' : String(v);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function formatInventory(rows: InventoryRow[], format: InventoryFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n');
}

export async function inventory(
  kc: KubeConfig,
  namespace: string | undefined,
  format: InventoryFormat,
): Promise<string> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const scope = { group: CRD_GROUP, version: CRD_VERSION, plural: CRD_PLURAL };
  const list = (
    namespace
      ? await custom.listNamespacedCustomObject({ ...scope, namespace })
      : await custom.listClusterCustomObject(scope)
  ) as { items: LoanRiskModel[] };
  return formatInventory(list.items.flatMap(inventoryRows), format);
}
