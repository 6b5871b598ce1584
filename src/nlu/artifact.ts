import type { FeatureConfig } from './features.js';
import type { CombinationWeights } from './calibration.js';
import type { KnnIndex } from './knn.js';
import type { LinearModel } from './softmax.js';
import type { MlpModel } from './mlp.js';

/**
 * Everything a trained light-tier model is. It is what the artifact stores, and the trained
 * classifier is always rebuilt from its own artifact, so a loaded model predicts exactly like the
 * one that was just trained.
 */
export interface ModelState {
  labels: string[];
  hasOosClass: boolean;
  featureConfig: FeatureConfig;
  language: 'auto' | 'zh' | 'en';
  userDictionary: string[];
  /** Feature hashes, word features first (see features.ts). */
  featureHashes: Int32Array;
  wordCount: number;
  idf: Float32Array;
  linear: LinearModel | null;
  mlp: MlpModel | null;
  knn: KnnIndex | null;
  weights: CombinationWeights;
  oosThreshold: number;
  /** With a single intent and no out-of-scope examples: minimum nearest-neighbour similarity to accept. */
  singleIntentMinimumSimilarity: number;
  summary: { examples: number; intents: number; trainMs: number; warnings: string[] };
  createdAt: string;
}

const MAGIC = 'KEFUNLU1';
/** Bump when the layout or the meaning of a field changes; loaders reject versions they do not know. */
export const ARTIFACT_FORMAT_VERSION = 1;

type DType = 'f32' | 'i32' | 'i8' | 'u8' | 'u16';
interface BlobEntry {
  name: string;
  dtype: DType;
  offset: number;
  length: number;
}

type Typed = Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

/** The JSON header after the magic bytes and the format version: the state's plain fields, shapes and blob table. */
type ArtifactHeader = Pick<
  ModelState,
  | 'createdAt'
  | 'labels'
  | 'hasOosClass'
  | 'featureConfig'
  | 'language'
  | 'userDictionary'
  | 'wordCount'
  | 'weights'
  | 'oosThreshold'
  | 'singleIntentMinimumSimilarity'
  | 'summary'
> & {
  format: 'kefu-intent-classifier';
  version: number;
  shapes: { dimensions: number; classes: number; hidden: number };
  knnWordsOnly: boolean;
  blobs: BlobEntry[];
};

function bytesPerElement(dtype: DType): number {
  return dtype === 'f32' || dtype === 'i32' ? 4 : dtype === 'u16' ? 2 : 1;
}

/** Row-wise symmetric int8 quantisation: one float scale per row of `columns` values. */
export function quantizeRows(values: Float32Array, columns: number): { quantized: Int8Array; scales: Float32Array } {
  const rows = columns === 0 ? 0 : values.length / columns;
  const quantized = new Int8Array(values.length);
  const scales = new Float32Array(rows);
  for (let row = 0; row < rows; row += 1) {
    const base = row * columns;
    let max = 0;
    for (let column = 0; column < columns; column += 1) max = Math.max(max, Math.abs(values[base + column]));
    const scale = max === 0 ? 1 : max / 127;
    scales[row] = scale;
    for (let column = 0; column < columns; column += 1)
      quantized[base + column] = Math.round(values[base + column] / scale);
  }
  return { quantized, scales };
}

/** Serialises a model: magic, format version, a JSON header, then aligned typed-array blobs. */
export function encodeArtifact(state: ModelState): Uint8Array {
  const blobs: Array<{ name: string; dtype: DType; data: Typed }> = [];
  const add = (name: string, dtype: DType, data: Typed) => blobs.push({ name, dtype, data });
  add('features', 'i32', state.featureHashes);
  add('idf', 'f32', state.idf);
  if (state.linear) {
    const { quantized, scales } = state.linear.quantized
      ? { quantized: state.linear.quantized.weights, scales: state.linear.quantized.scales }
      : quantizeRows(state.linear.weights, state.linear.classes);
    add('linear.weights', 'i8', quantized);
    add('linear.scales', 'f32', scales);
    add('linear.bias', 'f32', state.linear.bias);
  }
  if (state.mlp) {
    const { quantized, scales } = state.mlp.quantizedInput
      ? { quantized: state.mlp.quantizedInput.weights, scales: state.mlp.quantizedInput.scales }
      : quantizeRows(state.mlp.inputWeights, state.mlp.hidden);
    add('mlp.inputWeights', 'i8', quantized);
    add('mlp.inputScales', 'f32', scales);
    add('mlp.hiddenBias', 'f32', state.mlp.hiddenBias);
    add('mlp.outputWeights', 'f32', state.mlp.outputWeights);
    add('mlp.outputBias', 'f32', state.mlp.outputBias);
  }
  if (state.knn) {
    const small = state.knn.documentLabels.length < 65536;
    add('knn.offsets', 'i32', state.knn.offsets);
    add('knn.documents', small ? 'u16' : 'i32', small ? Uint16Array.from(state.knn.documents) : state.knn.documents);
    add(
      'knn.weights',
      'u8',
      Uint8Array.from(state.knn.weights, (value) => Math.round(Math.min(1, Math.max(0, value)) * 255)),
    );
    add('knn.labels', 'i32', state.knn.documentLabels);
  }
  const entries: BlobEntry[] = [];
  let offset = 0;
  for (const blob of blobs) {
    offset = Math.ceil(offset / 8) * 8;
    entries.push({ name: blob.name, dtype: blob.dtype, offset, length: blob.data.length });
    offset += blob.data.byteLength;
  }
  const header: ArtifactHeader = {
    format: 'kefu-intent-classifier',
    version: ARTIFACT_FORMAT_VERSION,
    createdAt: state.createdAt,
    labels: state.labels,
    hasOosClass: state.hasOosClass,
    featureConfig: state.featureConfig,
    language: state.language,
    userDictionary: state.userDictionary,
    wordCount: state.wordCount,
    weights: state.weights,
    oosThreshold: state.oosThreshold,
    singleIntentMinimumSimilarity: state.singleIntentMinimumSimilarity,
    summary: state.summary,
    shapes: {
      dimensions: state.featureHashes.length,
      classes: state.linear?.classes ?? state.mlp?.classes ?? state.knn?.classes ?? 0,
      hidden: state.mlp?.hidden ?? 0,
    },
    knnWordsOnly: state.knn?.wordsOnly ?? false,
    blobs: entries,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((16 + headerBytes.length) / 8) * 8;
  const output = new Uint8Array(dataStart + offset);
  output.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(output.buffer);
  view.setUint32(8, ARTIFACT_FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  output.set(headerBytes, 16);
  blobs.forEach((blob, index) => {
    output.set(
      new Uint8Array(blob.data.buffer, blob.data.byteOffset, blob.data.byteLength),
      dataStart + entries[index].offset,
    );
  });
  return output;
}

/** Parses an artifact written by encodeArtifact; throws a clear error for anything else. */
export function decodeArtifact(artifact: Uint8Array): ModelState {
  if (!(artifact instanceof Uint8Array) || artifact.length < 16)
    throw new Error('not a kefu intent model artifact (too short)');
  const magic = new TextDecoder().decode(artifact.subarray(0, 8));
  if (magic !== MAGIC) throw new Error('not a kefu intent model artifact (bad magic bytes)');
  const view = new DataView(artifact.buffer, artifact.byteOffset, artifact.byteLength);
  const version = view.getUint32(8, true);
  if (version !== ARTIFACT_FORMAT_VERSION) {
    throw new Error(
      `intent model artifact format version ${version} is not supported (this build reads version ${ARTIFACT_FORMAT_VERSION})`,
    );
  }
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > artifact.length) throw new Error('intent model artifact is truncated');
  // Our own format, behind the magic bytes and a version this build reads.
  const header = JSON.parse(new TextDecoder().decode(artifact.subarray(16, 16 + headerLength))) as ArtifactHeader;
  const dataStart = Math.ceil((16 + headerLength) / 8) * 8;
  // Copy into an aligned buffer so typed-array views are valid whatever the input's byteOffset.
  const data = artifact.slice(dataStart);
  const blob = <T extends Typed>(name: string): T | undefined => {
    const entry = header.blobs.find((candidate) => candidate.name === name);
    if (!entry) return undefined;
    if (entry.offset + entry.length * bytesPerElement(entry.dtype) > data.length)
      throw new Error('intent model artifact is truncated');
    const buffer = data.buffer;
    const start = data.byteOffset + entry.offset;
    switch (entry.dtype) {
      case 'f32':
        return new Float32Array(buffer, start, entry.length) as T;
      case 'i32':
        return new Int32Array(buffer, start, entry.length) as T;
      case 'i8':
        return new Int8Array(buffer, start, entry.length) as T;
      case 'u8':
        return new Uint8Array(buffer, start, entry.length) as T;
      case 'u16':
        return new Uint16Array(buffer, start, entry.length) as T;
    }
  };
  const { dimensions, classes, hidden } = header.shapes;
  const linearWeights = blob<Int8Array>('linear.weights');
  const linear: LinearModel | null = linearWeights
    ? {
        dimensions,
        classes,
        weights: new Float32Array(0),
        bias: blob<Float32Array>('linear.bias')!,
        quantized: { weights: linearWeights, scales: blob<Float32Array>('linear.scales')! },
      }
    : null;
  const inputWeights = blob<Int8Array>('mlp.inputWeights');
  const mlp: MlpModel | null = inputWeights
    ? {
        dimensions: hidden === 0 ? 0 : inputWeights.length / hidden,
        hidden,
        classes,
        inputWeights: new Float32Array(0),
        quantizedInput: { weights: inputWeights, scales: blob<Float32Array>('mlp.inputScales')! },
        hiddenBias: blob<Float32Array>('mlp.hiddenBias')!,
        outputWeights: blob<Float32Array>('mlp.outputWeights')!,
        outputBias: blob<Float32Array>('mlp.outputBias')!,
      }
    : null;
  const offsets = blob<Int32Array>('knn.offsets');
  const knn: KnnIndex | null = offsets
    ? {
        classes,
        offsets,
        documents: Int32Array.from(blob<Uint16Array | Int32Array>('knn.documents')!),
        weights: Float32Array.from(blob<Uint8Array>('knn.weights')!, (value) => value / 255),
        documentLabels: blob<Int32Array>('knn.labels')!,
        wordsOnly: header.knnWordsOnly === true,
      }
    : null;
  return {
    labels: header.labels,
    hasOosClass: header.hasOosClass,
    featureConfig: header.featureConfig,
    language: header.language,
    userDictionary: header.userDictionary,
    featureHashes: blob<Int32Array>('features')!,
    wordCount: header.wordCount,
    idf: blob<Float32Array>('idf')!,
    linear,
    mlp,
    knn,
    weights: header.weights,
    oosThreshold: header.oosThreshold,
    singleIntentMinimumSimilarity: header.singleIntentMinimumSimilarity,
    summary: header.summary,
    createdAt: header.createdAt,
  };
}
