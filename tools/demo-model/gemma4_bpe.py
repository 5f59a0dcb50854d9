"""A Gemma 4-type BPE vocabulary (spec/tokenizers.md §3, §6.5, §7): the special tokens, the encoder and the
vocab file format shared by the tokenizer trainer, the training script and the exporter.

The encoder follows llama.cpp's `gemma4` tokenizer: special tokens are split out first, spaces become U+2581,
the text is split into runs of '\n' and runs of everything else, each run is merged by rank, and symbols that
are not tokens fall back to <0xXX> byte tokens.
"""
import heapq
import json
import re
from functools import lru_cache

SPACE_MARK = "\u2581"

# tokenizer.ggml.token_type values (llama.cpp llama_token_type).
NORMAL, CONTROL, USER_DEFINED, BYTE = 1, 3, 4, 6

# The Gemma 4 special tokens with the types the real vocabulary gives them, in the order of hearth's tiny test
# fixtures. The USER_DEFINED ones are always split out of text, as llama.cpp's converter marks them.
SPECIAL_TOKENS = [
    ("<pad>", CONTROL), ("<eos>", CONTROL), ("<bos>", CONTROL), ("<unk>", CONTROL), ("<mask>", CONTROL),
    ("[multimodal]", NORMAL),
    ("<|turn>", CONTROL), ("<turn|>", CONTROL), ("<|think|>", CONTROL),
    ("<|image>", CONTROL), ("<image|>", CONTROL), ("<|image|>", CONTROL),
    ("<|audio>", CONTROL), ("<audio|>", CONTROL), ("<|audio|>", CONTROL), ("<|video|>", CONTROL),
    ("<|channel>", USER_DEFINED), ("<channel|>", USER_DEFINED),
    ("<|tool>", CONTROL), ("<tool|>", CONTROL),
    ("<|tool_call>", USER_DEFINED), ("<tool_call|>", USER_DEFINED),
    ("<|tool_response>", USER_DEFINED), ("<tool_response|>", USER_DEFINED),
    ("<|\"|>", USER_DEFINED),
]
PAD_ID, EOS_ID, BOS_ID, UNK_ID, MASK_ID = 0, 1, 2, 3, 4
MAX_NEWLINE_RUN = 8  # "\n" … "\n"×8 are whole tokens, looked up before merging (§7 step 1)

# How the trainer cuts text into words: a run of letters (with apostrophes), a single digit (Gemma 4 never
# merges digits), or a run of other characters, each with the spaces before it. Merges learned inside these
# words never join a non-space to a following space, which is what lets the encoder cut a piece before every
# space that follows a non-space without changing the result (checked when a vocabulary is loaded).
TRAINING_WORD = re.compile(f"{SPACE_MARK}*[A-Za-z']+|{SPACE_MARK}*[0-9]|{SPACE_MARK}*[^A-Za-z'0-9{SPACE_MARK}]+|{SPACE_MARK}+")
NEWLINE_RUNS = re.compile(r"\n+|[^\n]+")
ENCODER_CUT = re.compile(f"(?<=[^{SPACE_MARK}])(?={SPACE_MARK})")


def byte_token(value: int) -> str:
    return f"<0x{value:02X}>"


def fixed_tokens() -> list[tuple[str, int]]:
    """Every token that precedes the learned ones: specials, newline runs, the 256 byte tokens."""
    tokens = list(SPECIAL_TOKENS)
    tokens += [("\n" * n, NORMAL) for n in range(1, MAX_NEWLINE_RUN + 1)]
    tokens += [(byte_token(b), BYTE) for b in range(256)]
    return tokens


class Vocab:
    def __init__(self, tokens: list[str], types: list[int], merges: list[str]):
        self.tokens = tokens
        self.types = types
        self.merges = merges
        self.ids = {text: i for i, text in enumerate(tokens)}
        if len(self.ids) != len(tokens):
            raise ValueError("duplicate token texts")
        self.ranks = {}
        for rank, merge in enumerate(merges):
            left, right = merge.split(" ", 1)
            self.ranks.setdefault((left, right), rank)
            if left[-1] != SPACE_MARK and right[0] == SPACE_MARK:
                raise ValueError(f"merge {merge!r} joins a word to the space after it; the encoder's cut is invalid")
        # Longest first, as llama.cpp's partition; parse_special=False keeps only the USER_DEFINED ones.
        specials = [(t, ty) for t, ty in zip(tokens, types) if ty in (CONTROL, USER_DEFINED)]
        specials.sort(key=lambda item: -len(item[0]))
        self.all_specials = [t for t, _ in specials]
        self.user_defined = [t for t, ty in specials if ty == USER_DEFINED]

    @staticmethod
    def load(path) -> "Vocab":
        with open(path) as f:
            data = json.load(f)
        return Vocab(data["tokens"], data["types"], data["merges"])

    def save(self, path) -> None:
        with open(path, "w") as f:
            json.dump({"tokens": self.tokens, "types": self.types, "merges": self.merges}, f, ensure_ascii=False)

    def encode(self, text: str, add_bos: bool = True, parse_special: bool = False) -> list[int]:
        ids = [BOS_ID] if add_bos else []
        for fragment, is_special in self._partition(text, self.all_specials if parse_special else self.user_defined):
            if is_special:
                ids.append(self.ids[fragment])
            else:
                ids += self._encode_raw(fragment)
        return ids

    def decode(self, ids: list[int]) -> str:
        out = bytearray()
        for i in ids:
            text, kind = self.tokens[i], self.types[i]
            if kind == BYTE:
                out.append(int(text[3:5], 16))
            else:
                out += text.replace(SPACE_MARK, " ").encode("utf-8")
        return out.decode("utf-8", errors="replace")

    @staticmethod
    def _partition(text: str, specials: list[str]):
        fragments = [(text, False)] if text else []
        for special in specials:
            split = []
            for fragment, is_special in fragments:
                if is_special or special not in fragment:
                    split.append((fragment, is_special))
                    continue
                parts = fragment.split(special)
                for k, part in enumerate(parts):
                    if k:
                        split.append((special, True))
                    if part:
                        split.append((part, False))
            fragments = split
        return fragments

    def _encode_raw(self, text: str) -> list[int]:
        ids = []
        for run in NEWLINE_RUNS.findall(text.replace(" ", SPACE_MARK)):
            if run[0] == "\n" and run in self.ids:
                ids.append(self.ids[run])
                continue
            for word in ENCODER_CUT.split(run):
                ids += self._encode_word(word)
        return ids

    @lru_cache(maxsize=1 << 20)
    def _encode_word(self, word: str) -> tuple[int, ...]:
        symbols = list(word)
        alive = [True] * len(symbols)
        nxt = list(range(1, len(symbols) + 1))
        prev = list(range(-1, len(symbols) - 1))
        queue = []

        def push(left: int) -> None:
            right = nxt[left]
            if right >= len(symbols):
                return
            rank = self.ranks.get((symbols[left], symbols[right]))
            if rank is not None:
                heapq.heappush(queue, (rank, left, symbols[left] + symbols[right]))

        for i in range(len(symbols) - 1):
            push(i)
        while queue:
            _, left, merged = heapq.heappop(queue)
            right = nxt[left]
            if not alive[left] or right >= len(symbols) or symbols[left] + symbols[right] != merged:
                continue
            symbols[left] = merged
            alive[right] = False
            nxt[left] = nxt[right]
            if nxt[right] < len(symbols):
                prev[nxt[right]] = left
            if prev[left] >= 0:
                push(prev[left])
            push(left)

        ids = []
        for i, symbol in enumerate(symbols):
            if not alive[i]:
                continue
            if symbol in self.ids:
                ids.append(self.ids[symbol])
            else:
                ids += [self.ids[byte_token(b)] for b in symbol.encode("utf-8")]
        return tuple(ids)
