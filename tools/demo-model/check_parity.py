#!/usr/bin/python3
"""Checks that hearth runs the PyTorch model: exports a model (by default an untrained one with a fixed seed)
and compares `hearth logits` with PyTorch's forward pass over the F16-rounded weights.

Exits non-zero when any top-10 logit differs by more than --tolerance relative to the largest logit.
"""
import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import torch

from dump_model import dump
from gemma4_bpe import Vocab
from model import Gemma4, Shape

HERE = Path(__file__).resolve().parent


def export_gguf(model: Gemma4, vocab: Path, exporter: Path, template_source: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        manifest = dump(model, vocab, Path(tmp), "hearth-demo")
        subprocess.run([str(exporter), str(manifest), str(out), str(template_source)], check=True)


def hearth_logits(hearth: Path, gguf: Path, ids: list[int], numerics: str) -> list[dict]:
    result = subprocess.run([str(hearth), "logits", str(gguf), "--tokens", " ".join(map(str, ids)), "--json",
                             "--numerics", numerics, "--kv", "f32"], check=True, capture_output=True, text=True)
    return json.loads(result.stdout)["positions"]


def row_top(position: dict):
    return [(int(token), float(value)) for token, value in position["top"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vocab", type=Path, required=True)
    parser.add_argument("--hearth", type=Path, required=True)
    parser.add_argument("--exporter", type=Path, required=True)
    parser.add_argument("--chat-template-from", type=Path, required=True)
    parser.add_argument("--checkpoint", type=Path, help="trained weights (train.py); default: untrained, seed 0")
    parser.add_argument("--text", default="The Fulton County Grand Jury said Friday an investigation of Atlanta's "
                        "recent primary election produced \"no evidence\" that any irregularities took place. " * 6)
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()

    torch.manual_seed(0)
    vocab = Vocab.load(args.vocab)
    if args.checkpoint:
        state = torch.load(args.checkpoint)
        model = Gemma4(Shape(**state["shape"]))
        model.load_state_dict(state["model"])
    else:
        model = Gemma4(Shape(n_vocab=len(vocab.tokens)))
    model.round_to_f16_()
    ids = vocab.encode(args.text)
    with torch.no_grad():
        reference = model(torch.tensor([ids]))[0]

    with tempfile.TemporaryDirectory() as tmp:
        gguf = Path(tmp) / "model.gguf"
        export_gguf(model, args.vocab, args.exporter, args.chat_template_from, gguf)
        worst = {}
        for numerics in ("f32", "as_stored"):
            positions = hearth_logits(args.hearth, gguf, ids, numerics)
            worst[numerics] = 0.0
            for pos, row in zip(positions, reference):
                scale = row.abs().max().item()
                for token, value in row_top(pos):
                    worst[numerics] = max(worst[numerics], abs(value - row[token].item()) / scale)
            print(f"{len(ids)} tokens, numerics {numerics}: worst top-10 logit difference {worst[numerics]:.2e} of the largest logit")
    if worst["f32"] > args.tolerance:
        raise SystemExit(f"hearth (f32 numerics) differs from PyTorch by more than {args.tolerance}")


if __name__ == "__main__":
    main()
