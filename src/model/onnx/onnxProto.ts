import { ProtoWriter, float32LittleEndian, int64LittleEndian } from './protobuf';

/*
 * The few ONNX messages a model file needs, as plain TypeScript data, and their protobuf encoding.
 * Field numbers are those of onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto.Tensor, TensorShapeProto.Dimension, OperatorSetIdProto,
 * StringStringEntryProto); they are stable across IR versions. Tensor data goes into `raw_data`
 * (little-endian, row-major), the compact form every runtime reads.
 */

/** TensorProto.DataType values we write. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** An initializer (constant tensor) of the graph. */
export type OnnxTensor =
  | { readonly name: string; readonly dataType: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly name: string; readonly dataType: 'int64'; readonly dims: readonly number[]; readonly data: readonly number[] };

/** A node attribute (AttributeProto with its `type` discriminator). */
export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string };

/** One operator application. */
export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
}

/** A float32 graph input or output; a string dimension is symbolic (dim_param), a number fixed. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly shape: readonly (number | string)[];
  readonly docString?: string;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly docString?: string;
}

export interface OnnxModel {
  readonly irVersion: number;
  /** Version of the default ("ai.onnx") operator set. */
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  /** ModelProto.metadata_props. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly graph: OnnxGraph;
}

// AttributeProto.AttributeType
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  w.int(20, ATTRIBUTE_TYPE[a.type]);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'ints':
      // Repeated int64 `ints = 8`, written unpacked (proto2 default; every parser accepts both).
      for (const v of a.value) w.int(8, v);
      break;
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, (m) => writeAttribute(m, a));
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) {
    throw new Error(`ONNX tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(', ')}] (${count} expected)`);
  }
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType === 'float32' ? ONNX_FLOAT : ONNX_INT64);
  w.string(8, t.name);
  w.bytes(9, t.dataType === 'float32' ? float32LittleEndian(t.data) : int64LittleEndian(t.data));
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  // TypeProto { tensor_type = 1: TypeProto.Tensor { elem_type = 1, shape = 2: TensorShapeProto { dim = 1 } } }
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_FLOAT);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
  if (v.docString) w.string(3, v.docString);
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  if (g.docString) w.string(10, g.docString);
  for (const i of g.inputs) w.message(11, (m) => writeValueInfo(m, i));
  for (const o of g.outputs) w.message(12, (m) => writeValueInfo(m, o));
}

/** Encodes a model as ONNX protobuf bytes (what an .onnx file holds). */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, model.irVersion);
  w.string(2, model.producerName);
  w.string(3, model.producerVersion);
  if (model.docString) w.string(6, model.docString);
  w.message(7, (g) => writeGraph(g, model.graph));
  // OperatorSetIdProto: domain = 1 (empty = the default ai.onnx domain, so left out), version = 2.
  w.message(8, (o) => o.int(2, model.opsetVersion));
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.message(14, (e) => e.string(1, key).string(2, value));
  }
  return w.finish();
}
