"""PyTorch CPU training step of our U-Net, for issue 11's "training step within 2x of PyTorch CPU" measured
on the same machine as our own numbers (bench/trainProfile.ts in Node, bench/trainProfileBrowser.ts in the
app's worker).

The net is ours layer for layer (bench/gpu/unet_torch.py reads the tfjs topology and weights of a model
folder; the shipped nuclei model is the issue's case: depth 3, 16 base filters, valid convs, dropout 0.1).
The step is bench/fixedTileStep.ts's: one random 252 px tile, random 0/1 targets, a weight map drawn from
[0.5, 5) like a border-weight map, weighted softmax cross-entropy (mean over pixels), dropout on as in
training, backward, Adam (lr 1e-4). Thread counts are interleaved round by round; medians; load recorded.
Needs PyTorch (not a project dependency: README, "Training step on WASM"); prints JSON.

  python3 bench/torch_train_step.py --model public/models/nuclei [--tile 252] [--threads 1,2] [--rounds 3] [--steps 6]
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu"))
from unet_torch import TorchOps, forward, load, output_side  # noqa: E402


class TrainableOps(TorchOps):
    """TorchOps on the CPU whose weights are leaf tensors with gradients (created on the first forward)."""

    def __init__(self):
        super().__init__("cpu")

    def param(self, array, permute):
        t = super().param(array, permute)
        if not t.requires_grad:
            t.requires_grad_(True)
        return t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--tile", type=int, default=252)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=6)
    a = p.parse_args()
    import torch
    import torch.nn.functional as F

    layers, weights = load(a.model)
    out = output_side(layers, a.tile)
    if out is None:
        raise SystemExit(f"tile {a.tile} is not a legal input size of {a.model}")
    ops = TrainableOps()
    torch.manual_seed(1)
    rng = np.random.default_rng(3)
    x = torch.from_numpy(rng.random((1, 1, a.tile, a.tile), dtype=np.float32))
    targets = torch.from_numpy(rng.integers(0, 2, (1, out, out)).astype(np.int64))
    wmap = torch.from_numpy((0.5 + 4.5 * rng.random((1, out, out))).astype(np.float32))
    forward(layers, weights, ops, x, training=True)  # creates the parameters
    params = list(ops.cache.values())
    opt = torch.optim.Adam(params, lr=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = forward(layers, weights, ops, x, training=True)
        loss = (F.cross_entropy(logits, targets, reduction="none") * wmap).mean()
        loss.backward()
        opt.step()
        return float(loss)

    counts = [int(t) for t in a.threads.split(",")]
    samples = {t: [] for t in counts}
    for t in counts:  # warm-up per thread count (oneDNN primitives, Adam state), not recorded
        torch.set_num_threads(t)
        step()
        step()
    for r in range(a.rounds):
        for k in range(len(counts)):
            t = counts[(k + r) % len(counts)]
            torch.set_num_threads(t)
            load0 = os.getloadavg()[0]
            ms = []
            for _ in range(a.steps):
                t0 = time.perf_counter()
                step()
                ms.append((time.perf_counter() - t0) * 1000)
            samples[t].append({"msPerStep": statistics.median(ms), "load": round((load0 + os.getloadavg()[0]) / 2, 2)})
    print(
        json.dumps(
            {
                "benchmark": "PyTorch CPU training step, our U-Net",
                "torch": torch.__version__,
                "mkldnn": bool(torch.backends.mkldnn.is_available()),
                "model": a.model,
                "tile": a.tile,
                "outTile": out,
                "parameters": int(sum(q.numel() for q in params)),
                "rounds": a.rounds,
                "stepsPerMeasurement": a.steps,
                "threads": {
                    str(t): {
                        "msPerStep": round(statistics.median(s["msPerStep"] for s in samples[t]), 1),
                        "runs": [round(s["msPerStep"], 1) for s in samples[t]],
                        "load": [s["load"] for s in samples[t]],
                    }
                    for t in counts
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
