#!/usr/bin/env python3
"""Serve an exported topk.onnx for every user through ONNX Runtime's CUDA provider and check it against the CPU.

usage: python3 src/MLNet.Adversarial.Research/scripts/gpu-topk-check.py MODEL_DIR [MODEL_DIR ...]   (each holds topk.onnx and train-positives.tsv, as `train` writes)
Prints, per model: providers used, identical top-K items (and scores within 1e-4) on GPU and CPU, and the time of one
batch of all users on each (median of 5 after a warm-up). Writes the same as JSON to $OUT/gpu-topk.json when OUT is set.
"""
import json, os, statistics, sys, time
import numpy as np
import onnxruntime as ort

def users_of(model_dir):
    ids = []
    with open(os.path.join(model_dir, "train-positives.tsv")) as f:
        for line in f:
            head = line.split("\t", 1)[0].strip()
            if head and not head.startswith("#"):
                try: ids.append(int(head))
                except ValueError: pass  # header line
    return np.unique(np.array(ids, dtype=np.int64))

def timed(session, feed, repeats=5):
    session.run(None, feed)  # warm-up (CUDA: kernels, allocations)
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); out = session.run(None, feed); times.append(time.perf_counter() - start)
    return out, statistics.median(times)

def check(model_dir):
    path = os.path.join(model_dir, "topk.onnx")
    users = users_of(model_dir)
    cpu = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    gpu = ort.InferenceSession(path, providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
    shape = cpu.get_inputs()[0].shape
    x = users.reshape(-1, 1) if len(shape) == 2 else users
    feed = {cpu.get_inputs()[0].name: x}
    (cpu_items, cpu_scores), cpu_s = timed(cpu, feed)
    (gpu_items, gpu_scores), gpu_s = timed(gpu, feed)
    same_items = bool(np.array_equal(cpu_items, gpu_items))
    rows_differ = int((cpu_items != gpu_items).any(axis=1).sum())
    finite = np.isfinite(cpu_scores)
    close = bool(np.allclose(cpu_scores[finite], gpu_scores[finite], atol=1e-4, rtol=1e-4)) and bool((finite == np.isfinite(gpu_scores)).all())
    result = dict(model=model_dir, users=int(len(users)), k=int(cpu_items.shape[1]), providers=gpu.get_providers(),
                  same_items=same_items, rows_with_other_items=rows_differ, scores_close=close,
                  cpu_seconds=cpu_s, gpu_seconds=gpu_s, cpu_over_gpu=cpu_s / gpu_s if gpu_s > 0 else None)
    print(json.dumps(result), flush=True)
    return result

if __name__ == "__main__":
    print("onnxruntime", ort.__version__, ort.get_available_providers(), flush=True)
    if hasattr(ort, "preload_dlls"):
        try: ort.preload_dlls()  # CUDA/cuDNN from the nvidia-* wheels PyTorch brought, when present
        except Exception as e: print("preload_dlls:", e)
    results = [check(d) for d in sys.argv[1:]]
    if os.environ.get("OUT"):
        with open(os.path.join(os.environ["OUT"], "gpu-topk.json"), "w") as f: json.dump(results, f, indent=1)
    sys.exit(0 if all(r["same_items"] and r["scores_close"] and "CUDAExecutionProvider" in r["providers"] for r in results) else 1)
