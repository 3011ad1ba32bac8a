// Usage: node recommend.mjs [model-folder]   (default ../../runs/x, written by `mlnet-adv train --out runs/x`)
import * as ort from 'onnxruntime-node';
import path from 'node:path';

const dir = process.argv[2] ?? path.join('..', '..', 'runs', 'x');

// Pairwise scorer: inputs user, item (raw ids; int64 here because MovieLens ids are numbers), output score [N].
const scorer = await ort.InferenceSession.create(path.join(dir, 'scorer.onnx'));
console.log('scorer inputs:', scorer.inputNames, 'outputs:', scorer.outputNames);
const users = new ort.Tensor('int64', BigInt64Array.from([196n, 196n, 999999n]), [3]); // 999999: unknown user -> fallback row
const items = new ort.Tensor('int64', BigInt64Array.from([242n, 302n, 242n]), [3]);
const { score } = await scorer.run({ user: users, item: items });
console.log('score:', Array.from(score.data, s => s.toFixed(4)));

// Top-K: input user [N], outputs item_ids [N,K] (raw ids) and scores [N,K], best first, training items excluded.
const topk = await ort.InferenceSession.create(path.join(dir, 'topk.onnx'));
const out = await topk.run({ user: new ort.Tensor('int64', BigInt64Array.from([196n, 1n]), [2]) });
const k = out.item_ids.dims[1];
for (let row = 0; row < out.item_ids.dims[0]; row++) {
  const ids = Array.from(out.item_ids.data.slice(row * k, row * k + 5), String);
  const scores = Array.from(out.scores.data.slice(row * k, row * k + 5), s => s.toFixed(3));
  console.log(`user ${row === 0 ? 196 : 1}: top-5 of ${k}`, ids.join(' '), '| scores', scores.join(' '));
}
