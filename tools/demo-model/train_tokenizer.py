#!/usr/bin/python3
"""Learns the demo model's BPE vocabulary from the training documents.

Words (gemma4_bpe.TRAINING_WORD) are counted, every character seen becomes a token, and the most frequent
adjacent pair is merged until the vocabulary has --vocab-size tokens. Ties between equally frequent pairs go
to the pair that sorts first, so the result does not depend on dictionary order.
"""
import argparse
import collections
import heapq
import json
from pathlib import Path

from gemma4_bpe import SPACE_MARK, NORMAL, TRAINING_WORD, NEWLINE_RUNS, Vocab, fixed_tokens


def count_words(documents: list[str]) -> collections.Counter:
    words = collections.Counter()
    for text in documents:
        for run in NEWLINE_RUNS.findall(text.replace(" ", SPACE_MARK)):
            if run[0] != "\n":
                words.update(TRAINING_WORD.findall(run))
    return words


def learn_merges(words: collections.Counter, n_merges: int) -> list[tuple[str, str]]:
    spellings = [list(w) for w in words]
    counts = list(words.values())
    pair_count = collections.Counter()
    pair_words = collections.defaultdict(set)
    for i, symbols in enumerate(spellings):
        for pair in zip(symbols, symbols[1:]):
            pair_count[pair] += counts[i]
            pair_words[pair].add(i)
    # Max-heap on (count, pair order); entries go stale when counts change and are re-checked on pop.
    heap = [(-c, pair) for pair, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges and heap:
        negative, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -negative or negative == 0:
            continue
        merges.append(pair)
        merged = pair[0] + pair[1]
        touched = set()
        for i in list(pair_words[pair]):
            symbols = spellings[i]
            for old in zip(symbols, symbols[1:]):
                pair_count[old] -= counts[i]
                touched.add(old)
            out, k = [], 0
            while k < len(symbols):
                if k + 1 < len(symbols) and (symbols[k], symbols[k + 1]) == pair:
                    out.append(merged)
                    k += 2
                else:
                    out.append(symbols[k])
                    k += 1
            spellings[i] = out
            for new in zip(out, out[1:]):
                pair_count[new] += counts[i]
                pair_words[new].add(i)
                touched.add(new)
        del pair_count[pair]
        for p in touched:
            if p != pair and pair_count.get(p, 0) > 0:
                heapq.heappush(heap, (-pair_count[p], p))
    return merges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="folder with train.jsonl (prepare_corpus.py)")
    parser.add_argument("--vocab-size", type=int, default=6144)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    with open(args.data / "train.jsonl") as f:
        documents = [json.loads(line)["text"] for line in f]
    words = count_words(documents)
    fixed = fixed_tokens()
    taken = {text for text, _ in fixed}
    alphabet = sorted({c for w in words for c in w} - taken)
    # Two merge orders can build the same string; such a merge adds no token, so learn a few spare ones.
    wanted = args.vocab_size - len(fixed) - len(alphabet)
    learned = learn_merges(words, wanted + 256)
    tokens = [t for t, _ in fixed] + alphabet
    seen = set(tokens)
    merges = []
    for left, right in learned:
        if len(tokens) == args.vocab_size:
            break
        merges.append((left, right))
        if left + right not in seen:
            seen.add(left + right)
            tokens.append(left + right)
    if len(tokens) != args.vocab_size:
        raise SystemExit(f"the corpus gives only {len(tokens)} tokens, wanted {args.vocab_size}")
    types = [ty for _, ty in fixed] + [NORMAL] * (len(tokens) - len(fixed))
    vocab = Vocab(tokens, types, [f"{a} {b}" for a, b in merges])
    vocab.save(args.out)
    print(f"{len(words)} distinct words, {len(alphabet)} characters, {len(merges)} merges -> {len(tokens)} tokens")


if __name__ == "__main__":
    main()
