#!/usr/bin/env bash
# GPU benchmark (issue 11 item 6), for a machine with an NVIDIA GPU; no network and no npm install needed
# (run it in a copy of the repository with node_modules). Under 10 minutes in all:
#   1. WebGPU: the built app in headless Chromium (Vulkan), both shipped models on a 512² and a 2048²
#      image, median ms and the tile/batch the memory budget chose        -> $OUT/webgpu.json
#   2. PyTorch-CUDA, where installed: the same U-Net built from the same weights (bench/gpu/unet_torch.py),
#      checked against our own output first, then timed on the same images -> $OUT/torch-MODEL.json
#   3. The two side by side, with the ratio                                 -> $OUT/gpu.json
#
#   OUT=/tmp/gpu bash bench/gpu/run.sh            (OUT defaults to bench/results/gpu)
# Exit status: 0 when WebGPU numbers were measured, 3 when there is no NVIDIA GPU, 1 on other failures.
set -u
cd "$(dirname "$0")/../.."
OUT="${OUT:-bench/results/gpu}"
mkdir -p "$OUT"
TSX=node_modules/.bin/tsx

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "bench/gpu: no NVIDIA GPU on this machine (nvidia-smi is missing or lists no GPU); nothing was measured." >&2
  echo '{ "status": "no-gpu", "message": "no NVIDIA GPU on this machine; nothing was measured" }' > "$OUT/gpu.json"
  exit 3
fi
if [ ! -x "$TSX" ]; then
  echo "bench/gpu: node_modules is missing (copy the repository with its node_modules; no npm install here)." >&2
  exit 1
fi

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/nvidia-smi.txt" 2>&1
uptime > "$OUT/load.txt"
if [ ! -f dist/index.html ]; then
  echo "bench/gpu: building the app (dist/ is missing)" >&2
  timeout 180 node_modules/.bin/vite build > "$OUT/build.log" 2>&1 || { echo "bench/gpu: the build failed, see $OUT/build.log" >&2; exit 1; }
fi

webgpu=0
timeout 300 "$TSX" bench/gpu/webgpu.ts "$OUT" --sizes 512,2048 --repeats 3 || webgpu=$?

PY=$(command -v python3 || command -v python || true)
if [ -n "$PY" ]; then
  timeout 60 "$TSX" bench/gpu/reference.ts "$OUT/reference" public/models/nuclei public/models/em-membranes
  for m in nuclei em-membranes; do
    timeout 60 "$PY" bench/gpu/unet_torch.py --model "public/models/$m" --check "$OUT/reference/$m" --time 512,2048 \
      --json "$OUT/torch-$m.json" > /dev/null || echo "bench/gpu: no PyTorch-CUDA numbers for $m" >&2
  done
else
  echo "bench/gpu: no python3; no PyTorch numbers" >&2
fi

"$TSX" bench/gpu/summary.ts "$OUT"
uptime >> "$OUT/load.txt"
[ "$webgpu" -eq 0 ] || { echo "bench/gpu: the WebGPU part failed (status $webgpu); see above" >&2; exit 1; }
