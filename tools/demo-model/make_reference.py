#!/usr/bin/python3
"""Exports the trained model and records what hearth must reproduce.

1. Rounds the matrices to F16 (the model as exported) and writes the F16 GGUF with demo_model_export, then
   the Q8_0 GGUF with `hearth quantize`.
2. Computes the held-out perplexity the way `hearth perplexity` (llama-perplexity) does: the text is
   tokenized with <bos> in front and cut into chunks of --ctx tokens, each chunk's first token is replaced by
   <bos>, and only the predictions of the chunk's second half are scored (positions ctx/2 … ctx-2).
3. Greedily continues each prompt from exactly the tokens `hearth run` feeds (the Gemma 4 chat prompt with
   thinking off), stopping at an end-of-generation token or after --num-predict tokens.
4. Runs `hearth perplexity` on both files and writes everything to models/hearth-demo-reference.json.

Perplexities are computed on the whole held-out text (the model card's figure) and on its first document
(the figure the test checks, which keeps the test within seconds).
"""
import argparse
import json
import math
import subprocess
import tempfile
from pathlib import Path

import torch

from dump_model import dump
from gemma4_bpe import BOS_ID, Vocab
from model import Gemma4, Shape

PROMPTS = ["She looked at him and", "The Fulton County Grand Jury said", "The governor"]
CHAT_PROMPT = "<bos><|turn>user\n{}<turn|>\n<|turn>model\n<|channel>thought\n<channel|>"
END_OF_GENERATION = ("<turn|>", "<eos>", "<|tool_response>")


def perplexity(model: Gemma4, ids: list[int], ctx: int) -> dict:
    n_chunks = len(ids) // ctx
    first = ctx // 2
    nll_sum, count = 0.0, 0
    with torch.no_grad():
        for chunk in range(n_chunks):
            tokens = ids[chunk * ctx:(chunk + 1) * ctx]
            inputs = torch.tensor([[BOS_ID] + tokens[1:]])
            log_probs = model(inputs)[0].double().log_softmax(-1)
            targets = torch.tensor(tokens[first + 1:])
            nll_sum -= log_probs[first:ctx - 1].gather(1, targets[:, None]).sum().item()
            count += len(targets)
    return {"perplexity": math.exp(nll_sum / count), "n_tokens": len(ids), "n_chunks": n_chunks, "n_scored": count}


def greedy(model: Gemma4, vocab: Vocab, prompt: str, num_predict: int) -> dict:
    ids = vocab.encode(CHAT_PROMPT.format(prompt.strip()), add_bos=False, parse_special=True)
    stops = {vocab.ids[t] for t in END_OF_GENERATION}
    generated, margins = [], []
    with torch.no_grad():
        for _ in range(num_predict):
            logits = model(torch.tensor([ids + generated]))[0, -1]
            top = logits.topk(2)
            margins.append(round((top.values[0] - top.values[1]).item(), 4))
            token = top.indices[0].item()
            if token in stops:
                break
            generated.append(token)
    return {"prompt": prompt, "num_predict": num_predict, "prompt_tokens": ids, "tokens": generated,
            "text": vocab.decode(generated), "smallest_margin": min(margins)}


def hearth_perplexity(hearth: Path, gguf: Path, text_file: Path, ctx: int) -> float:
    result = subprocess.run([str(hearth), "perplexity", str(gguf), "--file", str(text_file), "--ctx", str(ctx), "--json"],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)["perplexity"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--vocab", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True, help="folder of prepare_corpus.py")
    parser.add_argument("--hearth", type=Path, required=True)
    parser.add_argument("--exporter", type=Path, required=True)
    parser.add_argument("--chat-template-from", type=Path, required=True, help="a Gemma 4 GGUF")
    parser.add_argument("--models", type=Path, required=True, help="where the GGUFs and the reference go")
    parser.add_argument("--ctx", type=int, default=512)
    parser.add_argument("--num-predict", type=int, default=24)
    args = parser.parse_args()

    torch.set_num_threads(2)
    state = torch.load(args.checkpoint)
    model = Gemma4(Shape(**state["shape"]))
    model.load_state_dict(state["model"])
    model.eval()
    model.round_to_f16_()
    vocab = Vocab.load(args.vocab)

    args.models.mkdir(parents=True, exist_ok=True)
    f16 = args.models / "hearth-demo-f16.gguf"
    q8 = args.models / "hearth-demo-q8_0.gguf"
    with tempfile.TemporaryDirectory() as tmp:
        manifest = dump(model, args.vocab, Path(tmp), "hearth-demo")
        subprocess.run([str(args.exporter), str(manifest), str(f16), str(args.chat_template_from)], check=True)
    subprocess.run([str(args.hearth), "quantize", str(f16), str(q8), "Q8_0"], check=True, capture_output=True)

    reference = {"ctx": args.ctx}
    for key, source, target in (("heldout_head", "heldout-head.txt", "hearth-demo-heldout-head.txt"),
                                ("heldout", "heldout.txt", "hearth-demo-heldout.txt")):
        text = (args.data / source).read_text()
        (args.models / target).write_text(text)
        reference[key] = {
            "file": target,
            "pytorch": perplexity(model, vocab.encode(text), args.ctx),
            "hearth": {"f16": hearth_perplexity(args.hearth, f16, args.models / target, args.ctx),
                       "q8_0": hearth_perplexity(args.hearth, q8, args.models / target, args.ctx)},
        }
        print(key, json.dumps(reference[key]), flush=True)
    reference["continuations"] = [greedy(model, vocab, p, args.num_predict) for p in PROMPTS]
    path = args.models / "hearth-demo-reference.json"
    path.write_text(json.dumps(reference, indent=1) + "\n")
    for c in reference["continuations"]:
        print(f"{c['prompt']!r} -> {c['text']!r} (smallest margin {c['smallest_margin']})")


if __name__ == "__main__":
    main()
