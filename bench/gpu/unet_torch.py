"""The same U-Net as ours, in PyTorch (CUDA) or NumPy, built from a shipped model folder (model.json +
weights), for bench/gpu/run.sh: the ratio of our WebGPU time to PyTorch-CUDA's on the same GPU.

The graph is read from the tfjs layers topology (Conv2D relu/linear, MaxPooling2D, Dropout = identity,
Conv2DTranspose 2x2 stride 2, SkipCrop2D, Concatenate, Softmax), so it is our network layer for layer.
Kernels: tfjs Conv2D [kh, kw, in, out] -> torch [out, in, kh, kw]; Conv2DTranspose [kh, kw, out, in] ->
torch [in, out, kh, kw]: both permute (3, 2, 0, 1), no flip (as in src/model/onnx/layersToOnnx.ts).

  python3 bench/gpu/unet_torch.py --model public/models/nuclei --check REF_DIR [--numpy]
      runs REF_DIR/input.npy (NHWC) and compares with REF_DIR/output.npy (bench/gpu/reference.ts)
  python3 bench/gpu/unet_torch.py --model public/models/nuclei --time 512,2048 --json OUT.json
      median ms of one forward pass over a whole S x S image (smallest legal input >= S + 2 margins)
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np


def load(model_dir):
    with open(os.path.join(model_dir, "model.json")) as f:
        model = json.load(f)
    layers = model["modelTopology"]["config"]["layers"]
    manifest = model["weightsManifest"]
    blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for group in manifest for p in group["paths"])
    weights, offset = {}, 0
    for group in manifest:
        for w in group["weights"]:
            # float32, or float16 halves (train --weights float16), widened to float32 as tfjs does on load.
            stored = (w.get("quantization") or {}).get("dtype", w["dtype"])
            if w["dtype"] != "float32" or stored not in ("float32", "float16"):
                raise SystemExit(f"weight {w['name']} is stored as {stored}; only float32 and float16 are read here")
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            code, size = ("<f2", 2) if stored == "float16" else ("<f4", 4)
            weights[w["name"]] = np.frombuffer(blob, dtype=code, count=n, offset=offset).astype(np.float32).reshape(w["shape"])
            offset += size * n
    return layers, weights


def inbound(layer):
    nodes = layer.get("inbound_nodes") or []
    return [n[0] for n in nodes[0]] if nodes else []


class NumpyOps:
    """Reference ops on NCHW float64 arrays (slow; for checking the graph on small inputs)."""

    def tensor(self, x):
        return np.asarray(x, dtype=np.float64)

    def conv(self, x, kernel, bias, padding):
        k = kernel.transpose(3, 2, 0, 1).astype(np.float64)  # out, in, kh, kw
        if padding == "same":
            ph, pw = (k.shape[2] - 1) // 2, (k.shape[3] - 1) // 2
            x = np.pad(x, ((0, 0), (0, 0), (ph, k.shape[2] - 1 - ph), (pw, k.shape[3] - 1 - pw)))
        n, c, h, w = x.shape
        oh, ow = h - k.shape[2] + 1, w - k.shape[3] + 1
        out = np.zeros((n, k.shape[0], oh, ow))
        for i in range(k.shape[2]):
            for j in range(k.shape[3]):
                out += np.einsum("nchw,oc->nohw", x[:, :, i:i + oh, j:j + ow], k[:, :, i, j])
        return out + bias.reshape(1, -1, 1, 1)

    def upconv(self, x, kernel, bias):
        k = kernel.transpose(3, 2, 0, 1).astype(np.float64)  # in, out, 2, 2
        n, c, h, w = x.shape
        out = np.zeros((n, k.shape[1], 2 * h, 2 * w))
        for i in range(2):
            for j in range(2):
                out[:, :, i::2, j::2] = np.einsum("nchw,co->nohw", x, k[:, :, i, j])
        return out + bias.reshape(1, -1, 1, 1)

    def relu(self, x):
        return np.maximum(x, 0)

    def pool(self, x):
        n, c, h, w = x.shape
        return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))

    def cat(self, xs):
        return np.concatenate(xs, axis=1)

    def softmax(self, x):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def numpy(self, x):
        return np.asarray(x)


class TorchOps:
    def __init__(self, device):
        import torch
        import torch.nn.functional as F

        self.torch, self.F, self.device = torch, F, device
        self.cache = {}

    def param(self, array, permute):
        key = id(array)
        if key not in self.cache:
            t = self.torch.from_numpy(np.ascontiguousarray(array))
            self.cache[key] = (t.permute(*permute) if permute else t).contiguous().to(self.device)
        return self.cache[key]

    def tensor(self, x):
        return self.torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(self.device)

    def conv(self, x, kernel, bias, padding):
        k = self.param(kernel, (3, 2, 0, 1))
        return self.F.conv2d(x, k, self.param(bias, None), padding="same" if padding == "same" else 0)

    def upconv(self, x, kernel, bias):
        return self.F.conv_transpose2d(x, self.param(kernel, (3, 2, 0, 1)), self.param(bias, None), stride=2)

    def relu(self, x):
        return self.F.relu(x)

    def pool(self, x):
        return self.F.max_pool2d(x, 2)

    def cat(self, xs):
        return self.torch.cat(xs, dim=1)

    def softmax(self, x):
        return self.torch.softmax(x, dim=1)

    def numpy(self, x):
        return x.detach().cpu().numpy()


def forward(layers, weights, ops, x_nchw, training=False):
    """Runs the topology; returns the softmax, NCHW. `training` (TorchOps only, bench/torch_train_step.py):
    dropout on, and the logits instead of the softmax (the loss takes the log-softmax itself)."""
    values = {}
    for layer in layers:
        kind, name, cfg = layer["class_name"], layer["name"], layer["config"]
        args = [values[i] for i in inbound(layer)]
        if kind == "InputLayer":
            y = x_nchw
        elif kind == "Conv2D":
            y = ops.conv(args[0], weights[f"{name}/kernel"], weights[f"{name}/bias"], cfg.get("padding", "valid"))
            if cfg.get("activation") == "relu":
                y = ops.relu(y)
            elif cfg.get("activation") not in ("linear", None):
                raise SystemExit(f"{name}: activation {cfg.get('activation')} is not in our U-Nets")
        elif kind == "MaxPooling2D":
            y = ops.pool(args[0])
        elif kind == "Dropout":
            y = ops.F.dropout(args[0], float(cfg.get("rate", 0)), training=True) if training else args[0]
        elif kind == "Conv2DTranspose":
            y = ops.upconv(args[0], weights[f"{name}/kernel"], weights[f"{name}/bias"])
        elif kind == "SkipCrop2D":
            c = int(cfg["cropping"])
            y = args[0][:, :, c:-c, c:-c] if c > 0 else args[0]
        elif kind == "Concatenate":
            y = ops.cat(args)
        elif kind in ("Softmax", "Activation"):
            y = args[0] if training else ops.softmax(args[0])
        else:
            raise SystemExit(f"layer {name}: {kind} is not part of our U-Nets")
        values[name] = y
    return values[layers[-1]["name"]]


def output_side(layers, side):
    """Output side for an input side, or None when a pooled map would be odd (not a legal size)."""
    sizes = {}
    for layer in layers:
        kind, name, cfg = layer["class_name"], layer["name"], layer["config"]
        ins = [sizes[i] for i in inbound(layer)]
        if kind == "InputLayer":
            s = side
        elif kind == "Conv2D":
            s = ins[0] - (0 if cfg.get("padding") == "same" else cfg["kernel_size"][0] - 1)
        elif kind == "MaxPooling2D":
            if ins[0] % 2:
                return None
            s = ins[0] // 2
        elif kind == "Conv2DTranspose":
            s = ins[0] * 2
        elif kind == "SkipCrop2D":
            s = ins[0] - 2 * int(cfg["cropping"])
        elif kind == "Concatenate":
            if len(set(ins)) != 1:
                return None
            s = ins[0]
        else:
            s = ins[0]
        if s <= 0:
            return None
        sizes[name] = s
    return sizes[layers[-1]["name"]]


def input_for(layers, target):
    """Smallest legal input side whose output covers `target` pixels (the whole image in one pass)."""
    side = target
    while True:
        out = output_side(layers, side)
        if out is not None and out >= target:
            return side, out
        side += 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--check")
    p.add_argument("--numpy", action="store_true")
    p.add_argument("--time")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json")
    a = p.parse_args()
    layers, weights = load(a.model)
    result = {"model": a.model}
    if a.numpy:
        ops, device = NumpyOps(), "numpy"
    else:
        try:
            import torch
        except ImportError:
            print("unet_torch: PyTorch is not installed; no PyTorch numbers", file=sys.stderr)
            sys.exit(4)
        if not torch.cuda.is_available():
            print("unet_torch: PyTorch has no CUDA device; no PyTorch numbers", file=sys.stderr)
            sys.exit(4)
        torch.backends.cudnn.benchmark = True
        # Plain fp32 like our WebGPU path: no TF32 tensor-core shortcut.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        device = "cuda"
        ops = TorchOps(device)
        result["torch"] = torch.__version__
        result["gpu"] = torch.cuda.get_device_name(0)
    if a.check:
        x = np.load(os.path.join(a.check, "input.npy"))  # NHWC
        want = np.load(os.path.join(a.check, "output.npy"))  # NHWC softmax
        got = ops.numpy(forward(layers, weights, ops, ops.tensor(x.transpose(0, 3, 1, 2)))).transpose(0, 2, 3, 1)
        if got.shape != want.shape:
            raise SystemExit(f"shape {got.shape} but the reference is {want.shape}")
        result["check"] = {"maxAbsDiff": float(np.abs(got - want).max()), "shape": list(want.shape)}
    if a.time and not a.numpy:
        import torch

        timings = []
        for size in [int(s) for s in a.time.split(",")]:
            side, out = input_for(layers, size)
            x = ops.tensor(np.random.default_rng(1).standard_normal((1, 1, side, side), dtype=np.float32))
            with torch.no_grad():
                for _ in range(2):
                    forward(layers, weights, ops, x)
                torch.cuda.synchronize()
                ms = []
                for _ in range(a.repeats):
                    t0 = time.perf_counter()
                    forward(layers, weights, ops, x)
                    torch.cuda.synchronize()
                    ms.append((time.perf_counter() - t0) * 1000)
            timings.append({"image": size, "inputSide": side, "outputSide": out, "msMedian": statistics.median(ms), "ms": ms})
        result["timings"] = timings
    text = json.dumps(result, indent=2)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
