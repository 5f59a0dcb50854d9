"""Writes a model in the form demo_model_export reads: manifest.json, weights.f32 (every tensor as float32,
row-major, which is ggml's order) and a copy of the vocabulary."""
import json
import shutil
from pathlib import Path

import torch

from model import Gemma4


def dump(model: Gemma4, vocab_path: Path, out_dir: Path, name: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    tensors = []
    offset = 0
    with open(out_dir / "weights.f32", "wb") as blob:
        for tensor_name, p in model.named_weights():
            data = p.detach().to(torch.float32).contiguous().numpy().tobytes()
            tensors.append({"name": tensor_name, "ne": list(reversed(p.shape)), "offset": offset})
            blob.write(data)
            offset += len(data)
    shutil.copyfile(vocab_path, out_dir / "vocab.json")
    manifest = {"name": name, "shape": model.shape.to_dict(), "weights": "weights.f32", "vocab": "vocab.json", "tensors": tensors}
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1))
    return path
