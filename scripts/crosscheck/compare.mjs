// Compares two logits files of `moe4j logits` layout (float32 [n_tokens, n_vocab]): max |a - b|, the
// largest reference magnitude, and how often the argmax agrees.
//   node compare.mjs A.f32 B.f32 N_TOKENS
import {readFileSync} from "node:fs";

const [aPath, bPath, nArg] = process.argv.slice(2);
const f32 = p => { const b = readFileSync(p); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const a = f32(aPath), b = f32(bPath), n = Number(nArg);
if (a.length !== b.length || a.length % n !== 0) {
    console.error(`shapes differ: ${a.length} vs ${b.length} floats for ${n} tokens`);
    process.exit(1);
}
const vocab = a.length / n;
let maxDiff = 0, maxRef = 0, agree = 0;
for (let t = 0; t < n; t++) {
    let ia = 0, ib = 0;
    for (let v = 0; v < vocab; v++) {
        const i = t * vocab + v;
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        maxRef = Math.max(maxRef, Math.abs(b[i]));
        if (a[i] > a[t * vocab + ia]) ia = v;
        if (b[i] > b[t * vocab + ib]) ib = v;
    }
    if (ia === ib) agree++;
}
console.log(`${n} x ${vocab} logits: max |moe4j - llama.cpp| ${maxDiff.toExponential(3)} (largest logit ${maxRef.toFixed(3)}), argmax agrees at ${agree}/${n} positions`);
