// Logits of a token sequence computed by llama.cpp (through the node-llama-cpp bindings), written in the
// format of `moe4j logits`: little-endian float32, [n_tokens, n_vocab]. An independent GGUF engine to
// check moe4j's files and numbers against.
//   node llama-logits.mjs MODEL.gguf 1,2,3 OUT.f32
import {getLlama} from "node-llama-cpp";
import {writeFileSync} from "node:fs";

const [modelPath, idList, outPath] = process.argv.slice(2);
if (!outPath) {
    console.error("usage: node llama-logits.mjs MODEL.gguf ID,ID,... OUT.f32");
    process.exit(2);
}
const ids = idList.split(",").map(Number);
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath});
const context = await model.createContext({contextSize: Math.max(64, ids.length + 8), batchSize: ids.length, threads: 2});
const outputs = await context.getSequence().controlledEvaluate(ids.map(t => [t, {generateNext: {logits: true}}]));
const rows = outputs.map((o, i) => {
    if (!o?.next?.logits) throw new Error(`no logits at position ${i}`);
    return o.next.logits;
});
const vocab = Math.max(...rows.map(r => r.size));
const buf = new Float32Array(ids.length * vocab);
rows.forEach((r, i) => r.forEach((v, tok) => { buf[i * vocab + tok] = v; }));
writeFileSync(outPath, Buffer.from(buf.buffer));
console.log(`${ids.length} x ${vocab} logits -> ${outPath}`);
await context.dispose();
await model.dispose();
