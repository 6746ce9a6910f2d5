#!/usr/bin/env bash
# Evaluates a token sequence with moe4j and with llama.cpp (an independent GGUF engine, through the
# node-llama-cpp bindings, installed here with npm on first use) and compares the logits.
#   scripts/crosscheck/crosscheck.sh MODEL.gguf [ID,ID,...] [moe4j logits flags, e.g. --float-activations]
# Needs node and npm. llama.cpp runs with its defaults (F16 KV cache, flash attention auto), which moves
# logits by about 1e-3 even between two llama.cpp configurations; quantized files differ more (activation
# rounding), see ../shared/conformance/README.md for the expected sizes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="$(realpath "${1:?usage: crosscheck.sh MODEL.gguf [ID,ID,...] [flags]}")"
ids="${2:-1,5,9,100,200,300,400,17,33,250,512,7}"
shift $(( $# >= 2 ? 2 : 1 ))
command -v node >/dev/null && command -v npm >/dev/null || { echo "crosscheck: needs node and npm (Debian: apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -d "$here/node_modules/node-llama-cpp" ]; then
  echo "crosscheck: installing node-llama-cpp (prebuilt llama.cpp) into $here/node_modules ..." >&2
  (cd "$here" && npm install --no-audit --no-fund --ignore-scripts >/dev/null)
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$here/../../moe4j" logits --model "$model" --tokens "$ids" --mode batch --out "$tmp/moe4j.f32" "$@" >/dev/null
(cd "$here" && node llama-logits.mjs "$model" "$ids" "$tmp/llama.f32" >/dev/null)
n=$(( $(tr -cd , <<<"$ids" | wc -c) + 1 ))
node "$here/compare.mjs" "$tmp/moe4j.f32" "$tmp/llama.f32" "$n"
