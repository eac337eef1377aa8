/** Total split gain per input feature (one-hot and rank columns summed back to their feature), as shares. */
import type { EncodingPlan } from './encoding.js';

interface DumpNode {
  split?: string;
  gain?: number;
  children?: DumpNode[];
}

export function gainImportance(trees: readonly unknown[], plan: EncodingPlan): Record<string, number> {
  const gain: Record<string, number> = {};
  for (const c of plan.columns) gain[c.source] = 0;
  const stack = [...trees] as DumpNode[];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.split !== undefined) {
      const column = plan.columns.at(Number(node.split.slice(1)));
      if (column) gain[column.source] += node.gain ?? 0;
    }
    stack.push(...(node.children ?? []));
  }
  const total = Object.values(gain).reduce((a, b) => a + b, 0) || 1;
  return Object.fromEntries(Object.entries(gain).map(([k, v]) => [k, v / total]));
}
