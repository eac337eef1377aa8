/**
 * Builds model.onnx as an ONNX protobuf (onnx-proto) from the encoding plan, XGBoost's tree dump
 * and the Platt calibration. The graph takes one [N,1] input per feature, named as the CSV
 * column, does the encoding itself (ai.onnx.ml OneHotEncoder / LabelEncoder), runs the trees
 * (TreeEnsembleRegressor, giving the log-odds) and outputs `probability` (calibrated) and
 * `raw_probability` (XGBoost's own).
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { FEATURES, PROBABILITY_OUTPUT, RAW_PROBABILITY_OUTPUT } from '@peerloan/contracts';
import type { Platt } from './calibration.js';
import type { EncodingPlan } from './encoding.js';
import { ExportError } from './errors/export-error.js';

/** onnxruntime-node 1.30 refuses IR versions above 13; 8 with opset 15 / ai.onnx.ml 3 is safe. */
const IR_VERSION = 8;
const OPSET = 15;
const ML_OPSET = 3;
const ML_DOMAIN = 'ai.onnx.ml';

interface XgbNode {
  nodeid: number;
  split?: string;
  split_condition?: number;
  yes?: number;
  no?: number;
  missing?: number;
  leaf?: number;
  children?: XgbNode[];
}

type Attr = OnnxTypes.IAttributeProto;
const { onnx } = onnxProto;
const AttributeType = onnx.AttributeProto.AttributeType;
const TensorProto = onnx.TensorProto;

const attr = {
  ints: (name: string, ints: number[]): Attr => ({ name, type: AttributeType.INTS, ints }),
  floats: (name: string, floats: number[]): Attr => ({ name, type: AttributeType.FLOATS, floats }),
  strings: (name: string, values: string[]): Attr => ({
    name,
    type: AttributeType.STRINGS,
    strings: values.map((v) => Buffer.from(v)),
  }),
  int: (name: string, i: number): Attr => ({ name, type: AttributeType.INT, i }),
  float: (name: string, f: number): Attr => ({ name, type: AttributeType.FLOAT, f }),
  string: (name: string, value: string): Attr => ({ name, type: AttributeType.STRING, s: Buffer.from(value) }),
};

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attribute: Attr[] = [],
  domain = '',
): OnnxTypes.INodeProto {
  return { opType, input: inputs, output: outputs, attribute, domain, name: outputs[0] };
}

export function valueInfo(name: string, elemType: number, dims: (string | number)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function scalar(name: string, value: number): OnnxTypes.ITensorProto {
  return { name, dataType: TensorProto.DataType.FLOAT, dims: [1], floatData: [value] };
}

function featureIndex(split: string): number {
  const match = /^f(\d+)$/.exec(split);
  if (!match) throw new ExportError(`unexpected feature reference "${split}" in XGBoost's tree dump`);
  return Number(match[1]);
}

/** Flattens XGBoost's JSON trees into TreeEnsembleRegressor's parallel attribute arrays. */
function treeEnsembleAttributes(trees: readonly unknown[], baseMargin: number): Attr[] {
  const n = {
    treeids: [] as number[],
    nodeids: [] as number[],
    featureids: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueids: [] as number[],
    falseids: [] as number[],
    missingTrue: [] as number[],
  };
  const t = { treeids: [] as number[], nodeids: [] as number[], ids: [] as number[], weights: [] as number[] };
  trees.forEach((tree, treeId) => {
    const stack: XgbNode[] = [tree as XgbNode];
    const nodes: XgbNode[] = [];
    while (stack.length > 0) {
      const current = stack.pop() as XgbNode;
      nodes.push(current);
      stack.push(...(current.children ?? []));
    }
    nodes.sort((a, b) => a.nodeid - b.nodeid);
    for (const x of nodes) {
      n.treeids.push(treeId);
      n.nodeids.push(x.nodeid);
      if (x.leaf !== undefined) {
        n.featureids.push(0);
        n.values.push(0);
        n.modes.push('LEAF');
        n.trueids.push(0);
        n.falseids.push(0);
        n.missingTrue.push(0);
        t.treeids.push(treeId);
        t.nodeids.push(x.nodeid);
        t.ids.push(0);
        t.weights.push(x.leaf);
        continue;
      }
      n.featureids.push(featureIndex(String(x.split)));
      n.values.push(Number(x.split_condition));
      n.modes.push('BRANCH_LT');
      n.trueids.push(Number(x.yes));
      n.falseids.push(Number(x.no));
      n.missingTrue.push(x.missing === x.yes ? 1 : 0);
    }
  });
  return [
    attr.ints('nodes_treeids', n.treeids),
    attr.ints('nodes_nodeids', n.nodeids),
    attr.ints('nodes_featureids', n.featureids),
    attr.floats('nodes_values', n.values),
    attr.strings('nodes_modes', n.modes),
    attr.ints('nodes_truenodeids', n.trueids),
    attr.ints('nodes_falsenodeids', n.falseids),
    attr.ints('nodes_missing_value_tracks_true', n.missingTrue),
    attr.ints('target_treeids', t.treeids),
    attr.ints('target_nodeids', t.nodeids),
    attr.ints('target_ids', t.ids),
    attr.floats('target_weights', t.weights),
    attr.int('n_targets', 1),
    attr.floats('base_values', [baseMargin]),
    attr.string('aggregate_function', 'SUM'),
    attr.string('post_transform', 'NONE'),
  ];
}

/** Encoding nodes per feature, in the plan's column order; returns the nodes and Concat inputs. */
function encodingNodes(plan: EncodingPlan): { nodes: OnnxTypes.INodeProto[]; blocks: string[] } {
  const nodes: OnnxTypes.INodeProto[] = [];
  const blocks: string[] = [];
  for (const feature of FEATURES) {
    const columns = plan.columns.filter((c) => c.source === feature.name);
    const first = columns.at(0);
    if (!first) continue;
    if (first.kind === 'numeric') {
      blocks.push(feature.name);
    } else if (first.kind === 'ordinal') {
      nodes.push(
        node(
          'LabelEncoder',
          [feature.name],
          [`${feature.name}_rank`],
          [
            attr.strings('keys_strings', [...first.order]),
            attr.floats(
              'values_floats',
              first.order.map((_, i) => i),
            ),
            attr.float('default_float', Number.NaN),
          ],
          ML_DOMAIN,
        ),
      );
      blocks.push(`${feature.name}_rank`);
    } else {
      const categories = columns.map((c) => (c.kind === 'onehot' ? c.category : ''));
      nodes.push(
        node(
          'OneHotEncoder',
          [feature.name],
          [`${feature.name}_onehot3d`],
          [attr.strings('cats_strings', categories), attr.int('zeros', 1)],
          ML_DOMAIN,
        ),
      );
      nodes.push(node('Flatten', [`${feature.name}_onehot3d`], [`${feature.name}_onehot`], [attr.int('axis', 1)]));
      blocks.push(`${feature.name}_onehot`);
    }
  }
  return { nodes, blocks };
}

export interface ExportInput {
  readonly plan: EncodingPlan;
  readonly trees: readonly unknown[];
  readonly calibration: Platt;
  /** XGBoost's base_score as a probability; the ensemble starts from its log-odds. */
  readonly baseScore: number;
  readonly version: string;
}

/** XGBoost's trees over the encoded columns in `features`, giving the log-odds `margin`. */
export function treesNode(input: ExportInput, features: string): OnnxTypes.INodeProto {
  const baseMargin = Math.log(input.baseScore / (1 - input.baseScore));
  return node(
    'TreeEnsembleRegressor',
    [features],
    ['margin'],
    treeEnsembleAttributes(input.trees, baseMargin),
    ML_DOMAIN,
  );
}

/** Platt's calibration of `margin` into PROBABILITY_OUTPUT; it reads the two constants of calibrationInitializers. */
export function calibrationNodes(): OnnxTypes.INodeProto[] {
  return [
    node('Mul', ['margin', 'platt_slope'], ['calibrated_margin_scaled']),
    node('Add', ['calibrated_margin_scaled', 'platt_intercept'], ['calibrated_margin']),
    node('Sigmoid', ['calibrated_margin'], [PROBABILITY_OUTPUT]),
  ];
}

export function calibrationInitializers(calibration: Platt): OnnxTypes.ITensorProto[] {
  return [scalar('platt_slope', calibration.slope), scalar('platt_intercept', calibration.intercept)];
}

/** A graph as a model file of version `version`: the IR and opsets onnxruntime takes, the version in its metadata. */
export function encodeModel(version: string, docString: string, graph: OnnxTypes.IGraphProto): Uint8Array {
  const model: OnnxTypes.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'loanrisk-train',
    producerVersion: '1',
    domain: 'io.peerloan.risk',
    modelVersion: 1,
    docString,
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: ML_DOMAIN, version: ML_OPSET },
    ],
    metadataProps: [{ key: 'version', value: version }],
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export function buildOnnxModel(input: ExportInput): Uint8Array {
  const { nodes, blocks } = encodingNodes(input.plan);
  nodes.push(
    node('Concat', blocks, ['features'], [attr.int('axis', 1)]),
    treesNode(input, 'features'),
    node('Sigmoid', ['margin'], [RAW_PROBABILITY_OUTPUT]),
    ...calibrationNodes(),
  );
  const inputs = FEATURES.map((f) =>
    valueInfo(f.name, f.kind === 'numeric' ? TensorProto.DataType.FLOAT : TensorProto.DataType.STRING, ['N', 1]),
  );
  return encodeModel(input.version, `PeerLoan late-payment model ${input.version}: calibrated P(is_late = 1)`, {
    name: 'loan_risk',
    node: nodes,
    input: inputs,
    output: [
      valueInfo(PROBABILITY_OUTPUT, TensorProto.DataType.FLOAT, ['N', 1]),
      valueInfo(RAW_PROBABILITY_OUTPUT, TensorProto.DataType.FLOAT, ['N', 1]),
    ],
    initializer: calibrationInitializers(input.calibration),
  });
}
