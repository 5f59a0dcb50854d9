#!/usr/bin/python3
"""Trains the demo model from scratch on the Brown corpus training documents, on the CPU.

Each step sees --batch sequences of --seq tokens. A sequence is either a window of one document that starts
with <bos> (what `hearth perplexity` scores: llama-perplexity's chunks), or chat turns packed back to back
in the Gemma 4 format `hearth run` renders, where the user says the opening words of a paragraph and the
model continues it. The initial weights, the data order and the held-out split are seeded; a second run on the
same machine with the same thread count should give the same model (not verified: a run takes 38 minutes).

Writes into --out: loss.csv (step, tokens, train loss, learning rate, elapsed seconds, held-out loss every
--eval-every steps), checkpoint.pt (shape + weights) and train.json (settings, parameter count, time).
"""
import argparse
import csv
import json
import math
import os
import random
import time
from pathlib import Path

# OpenMP threads that spin while waiting crawl on a machine shared with other work; sleeping ones do not.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402 (after the OpenMP setting)
import torch.nn.functional as F

from gemma4_bpe import BOS_ID, Vocab
from model import Gemma4, Shape

SEED = 1961
CHAT_FRACTION = 0.3
MAX_USER_WORDS = 24
MAX_REPLY_WORDS = 90
SENTENCE_ENDS = (".", "?", "!", '."', '?"', '!"')


def chat_example(paragraph: str, rng: random.Random) -> str | None:
    """The user gives the first words of a paragraph; the model goes on to a sentence end."""
    words = paragraph.split(" ")
    if len(words) < 6:
        return None
    k = rng.randint(1, min(MAX_USER_WORDS, len(words) - 3))
    reply = words[k:k + MAX_REPLY_WORDS]
    ends = [i for i, word in enumerate(reply) if word.endswith(SENTENCE_ENDS)]
    if ends:
        reply = reply[:ends[-1] + 1]
    user, reply = " ".join(words[:k]), " ".join(reply)
    return ("<bos><|turn>user\n" + user + "<turn|>\n<|turn>model\n<|channel>thought\n<channel|>" + reply + "<turn|>\n")


class Batches:
    def __init__(self, documents: list[str], vocab: Vocab, seq: int, seed: int):
        self.vocab = vocab
        self.seq = seq
        self.rng = random.Random(seed)
        self.documents = [vocab.encode(text, add_bos=False) for text in documents]
        self.lengths = [len(d) for d in self.documents]
        self.paragraphs = [p for text in documents for p in text.split("\n\n")]

    def document_window(self) -> list[int]:
        # A document is picked with probability proportional to its length, then a window inside it.
        doc = self.rng.choices(self.documents, weights=self.lengths)[0]
        start = self.rng.randrange(0, max(1, len(doc) - self.seq + 2))
        window = [BOS_ID] + doc[start:start + self.seq - 1]
        return window + [BOS_ID] * (self.seq - len(window))

    def chat_window(self) -> list[int]:
        ids = []
        while len(ids) < self.seq:
            example = chat_example(self.rng.choice(self.paragraphs), self.rng)
            if example is not None:
                ids += self.vocab.encode(example, add_bos=False, parse_special=True)
        return ids[: self.seq]

    def next(self, batch: int) -> torch.Tensor:
        rows = [self.chat_window() if self.rng.random() < CHAT_FRACTION else self.document_window() for _ in range(batch)]
        return torch.tensor(rows, dtype=torch.long)


def heldout_chunks(text: str, vocab: Vocab, seq: int, count: int) -> torch.Tensor:
    """llama-perplexity's first `count` chunks of the held-out text (first token of each replaced by <bos>)."""
    ids = vocab.encode(text)
    chunks = [[BOS_ID] + ids[i * seq + 1:(i + 1) * seq] for i in range(min(count, len(ids) // seq))]
    return torch.tensor(chunks, dtype=torch.long)


def heldout_loss(model: Gemma4, chunks: torch.Tensor) -> float:
    """Mean NLL over the second half of each chunk, as llama-perplexity scores it."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for row in chunks.split(8):
            logits = model(row)
            half = row.shape[1] // 2
            nll = F.cross_entropy(logits[:, half:-1].reshape(-1, logits.shape[-1]), row[:, half + 1:].reshape(-1), reduction="sum")
            total += nll.item()
            count += row[:, half + 1:].numel()
    model.train()
    return total / count


def learning_rate(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder of prepare_corpus.py")
    parser.add_argument("--vocab", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=440)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq", type=int, default=512)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--max-minutes", type=float, default=44.0,
                        help="stop early (and say so in train.json) if the machine is too slow for the planned steps")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    vocab = Vocab.load(args.vocab)
    with open(args.data / "train.jsonl") as f:
        documents = [json.loads(line)["text"] for line in f]
    batches = Batches(documents, vocab, args.seq, SEED)
    heldout = heldout_chunks((args.data / "heldout.txt").read_text(), vocab, args.seq, 16)

    shape = Shape(n_vocab=len(vocab.tokens), n_ctx_train=args.seq)
    model = Gemma4(shape)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for _, p in model.named_weights() if p.dim() == 2]
    no_decay = [p for _, p in model.named_weights() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with open(args.out / "loss.csv", "w", newline="") as log_file:
        log = csv.writer(log_file)
        log.writerow(["step", "tokens", "train_loss", "lr", "elapsed_s", "heldout_loss"])
        stopped_early_at = None
        for step in range(args.steps):
            if time.time() - started > args.max_minutes * 60:
                stopped_early_at = step
                break
            lr = learning_rate(step, args.steps, args.lr, args.warmup)
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = batches.next(args.batch)
            logits = model(batch[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()

            evaluated = ""
            if (step + 1) % args.eval_every == 0 or step + 1 == args.steps or time.time() - started > args.max_minutes * 60:
                evaluated = f"{heldout_loss(model, heldout):.4f}"
            log.writerow([step + 1, (step + 1) * args.batch * (args.seq - 1), f"{loss.item():.4f}", f"{lr:.6f}",
                          f"{time.time() - started:.1f}", evaluated])
            log_file.flush()
            if evaluated:
                torch.save({"shape": shape.to_dict(), "model": model.state_dict()}, args.out / "checkpoint.pt")
                print(f"step {step + 1}: train {loss.item():.3f}, held-out {evaluated}, {time.time() - started:.0f} s", flush=True)

    summary = {"parameters": n_params, "training_seconds": round(time.time() - started, 1), "seed": SEED,
               "stopped_early_at_step": stopped_early_at, "torch": torch.__version__,
               "chat_fraction": CHAT_FRACTION, **{k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}}
    (args.out / "train.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
