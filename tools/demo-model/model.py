"""The Gemma 4 text decoder (spec/gemma4.md §4) in PyTorch, at the demo model's small scale.

Parameters are named after the GGUF tensors they become (§3.1, §3.2), and every matrix is stored as PyTorch's
[out, in], whose row-major bytes are ggml's {in, out}, so the export is a plain dump.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn.functional as F


@dataclass
class Shape:
    n_vocab: int = 6144
    n_ctx_train: int = 512
    n_layer: int = 6
    n_embd: int = 256
    n_head: int = 4
    n_head_kv: int = 2
    head_dim_swa: int = 64
    head_dim_full: int = 128
    n_ff: int = 512
    double_wide_mlp: bool = True       # KV-shared layers get 2·n_ff, as in E2B
    layer_pattern: str = "SSSGSG"      # S = sliding window, G = global; one letter per layer
    sliding_window: int = 128
    n_embd_per_layer: int = 64         # P of the per-layer embeddings
    n_kv_shared: int = 2               # tail layers that attend over an earlier layer's K/V
    rope_freq_base_full: float = 1e6
    rope_freq_base_swa: float = 1e4
    partial_rotary_full: float = 0.25
    final_logit_softcapping: float = 30.0
    rms_norm_eps: float = 1e-6

    def is_sliding(self, il: int) -> bool:
        return self.layer_pattern[il] == "S"

    def has_kv(self, il: int) -> bool:
        return il < self.n_layer - self.n_kv_shared

    def head_dim(self, il: int) -> int:
        return self.head_dim_swa if self.is_sliding(il) else self.head_dim_full

    def n_ff_of(self, il: int) -> int:
        return 2 * self.n_ff if self.double_wide_mlp and not self.has_kv(il) else self.n_ff

    def kv_donor(self, il: int) -> int:
        """HF's rule (§4.6): the last layer with its own K/V and the same attention type."""
        if self.has_kv(il):
            return il
        first_shared = self.n_layer - self.n_kv_shared
        return max(d for d in range(first_shared) if self.is_sliding(d) == self.is_sliding(il))

    def rotated_pairs_full(self) -> int:
        return int(self.head_dim_full * self.partial_rotary_full / 2)

    def to_dict(self) -> dict:
        return asdict(self)


def rms_norm(x: torch.Tensor, weight: torch.Tensor | None, eps: float) -> torch.Tensor:
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * weight if weight is not None else y


def gelu(x: torch.Tensor) -> torch.Tensor:
    return F.gelu(x, approximate="tanh")


def rope(x: torch.Tensor, inv_freq: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """NeoX rotation of pairs (j, j + head_dim/2); x is [..., T, head_dim], inv_freq [head_dim/2]."""
    angles = positions.to(torch.float32)[:, None] * inv_freq[None, :]
    cos, sin = angles.cos(), angles.sin()
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)


class Gemma4(torch.nn.Module):
    def __init__(self, shape: Shape):
        super().__init__()
        self.shape = s = shape
        d, P, L = s.n_embd, s.n_embd_per_layer, s.n_layer
        self.params = torch.nn.ParameterDict()
        self.add("token_embd.weight", s.n_vocab, d)
        self.add("per_layer_token_embd.weight", s.n_vocab, L * P)
        self.add("per_layer_model_proj.weight", L * P, d)
        self.add("per_layer_proj_norm.weight", P)
        self.add("output_norm.weight", d)
        for il in range(L):
            hd, q_width, kv_width, ff = s.head_dim(il), s.n_head * s.head_dim(il), s.n_head_kv * s.head_dim(il), s.n_ff_of(il)
            p = f"blk.{il}."
            self.add(p + "attn_norm.weight", d)
            self.add(p + "attn_q.weight", q_width, d)
            if s.has_kv(il):
                self.add(p + "attn_k.weight", kv_width, d)
                self.add(p + "attn_v.weight", kv_width, d)
                self.add(p + "attn_k_norm.weight", hd)
            self.add(p + "attn_output.weight", d, q_width)
            self.add(p + "attn_q_norm.weight", hd)
            self.add(p + "post_attention_norm.weight", d)
            self.add(p + "layer_output_scale.weight", 1)
            self.add(p + "ffn_norm.weight", d)
            self.add(p + "ffn_gate.weight", ff, d)
            self.add(p + "ffn_up.weight", ff, d)
            self.add(p + "ffn_down.weight", d, ff)
            self.add(p + "post_ffw_norm.weight", d)
            self.add(p + "inp_gate.weight", P, d)
            self.add(p + "proj.weight", d, P)
            self.add(p + "post_norm.weight", d)
        self.reset_parameters()

        half_swa = s.head_dim_swa // 2
        self.register_buffer("inv_freq_swa", s.rope_freq_base_swa ** (-torch.arange(half_swa, dtype=torch.float64) * 2 / s.head_dim_swa).float(), persistent=False)
        # Proportional RoPE on global layers (§4.1): only the first pairs rotate; rope_freqs divides the rest by 1e30.
        half_full = s.head_dim_full // 2
        inv_full = s.rope_freq_base_full ** (-torch.arange(half_full, dtype=torch.float64) * 2 / s.head_dim_full)
        inv_full[s.rotated_pairs_full():] = 0.0
        self.register_buffer("inv_freq_full", inv_full.float(), persistent=False)

    def add(self, name: str, *size: int) -> None:
        # ParameterDict keys cannot contain '.'.
        self.params[name.replace(".", "/")] = torch.nn.Parameter(torch.empty(*size))

    def w(self, name: str) -> torch.nn.Parameter:
        return self.params[name.replace(".", "/")]

    def named_weights(self):
        for key, value in self.params.items():
            yield key.replace("/", "."), value

    def reset_parameters(self) -> None:
        s = self.shape
        with torch.no_grad():
            for name, p in self.named_weights():
                if name == "token_embd.weight":
                    p.normal_(0.0, s.n_embd ** -0.5)  # ×√d in the forward pass gives unit RMS
                elif name == "per_layer_token_embd.weight":
                    p.normal_(0.0, s.n_embd_per_layer ** -0.5)
                elif name.endswith(("attn_q_norm.weight", "attn_k_norm.weight")):
                    # Attention is unscaled (§4.5); Dh^-1/4 on both sides starts it at the usual 1/√Dh.
                    p.fill_(p.shape[0] ** -0.25)
                elif p.dim() == 1:
                    p.fill_(1.0)
                else:
                    p.normal_(0.0, p.shape[1] ** -0.5)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens [B, T] at positions 0..T-1 → logits [B, T, n_vocab] (after the softcap)."""
        s = self.shape
        eps = s.rms_norm_eps
        B, T = tokens.shape
        d, P, L = s.n_embd, s.n_embd_per_layer, s.n_layer
        positions = torch.arange(T, device=tokens.device)

        h = F.embedding(tokens, self.w("token_embd.weight")) * math.sqrt(d)
        token_part = F.embedding(tokens, self.w("per_layer_token_embd.weight")) * math.sqrt(P)
        context_part = F.linear(h, self.w("per_layer_model_proj.weight")) * (1.0 / math.sqrt(d))
        context_part = rms_norm(context_part.view(B, T, L, P), self.w("per_layer_proj_norm.weight"), eps)
        per_layer = (context_part + token_part.view(B, T, L, P)) * (2.0 ** -0.5)

        causal = positions[None, :] <= positions[:, None]
        masks = {
            "S": causal & (positions[:, None] - positions[None, :] < s.sliding_window),
            "G": causal,
        }
        kv = {}
        for il in range(L):
            p = f"blk.{il}."
            hd = s.head_dim(il)
            sliding = s.is_sliding(il)
            inv_freq = self.inv_freq_swa if sliding else self.inv_freq_full

            a = rms_norm(h, self.w(p + "attn_norm.weight"), eps)
            q = F.linear(a, self.w(p + "attn_q.weight")).view(B, T, s.n_head, hd)
            q = rope(rms_norm(q, self.w(p + "attn_q_norm.weight"), eps).transpose(1, 2), inv_freq, positions)
            if s.has_kv(il):
                k = F.linear(a, self.w(p + "attn_k.weight")).view(B, T, s.n_head_kv, hd)
                v = F.linear(a, self.w(p + "attn_v.weight")).view(B, T, s.n_head_kv, hd)
                k = rope(rms_norm(k, self.w(p + "attn_k_norm.weight"), eps).transpose(1, 2), inv_freq, positions)
                v = rms_norm(v, None, eps).transpose(1, 2)
                kv[il] = (k, v)
            k, v = kv[s.kv_donor(il)]
            group = s.n_head // s.n_head_kv
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
            scores = q @ k.transpose(-1, -2)  # scale 1.0: Q and K are RMS-normalised instead
            scores = scores.masked_fill(~masks["S" if sliding else "G"], float("-inf"))
            o = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, s.n_head * hd)
            o = rms_norm(F.linear(o, self.w(p + "attn_output.weight")), self.w(p + "post_attention_norm.weight"), eps)
            h = h + o

            x = rms_norm(h, self.w(p + "ffn_norm.weight"), eps)
            f = F.linear(gelu(F.linear(x, self.w(p + "ffn_gate.weight"))) * F.linear(x, self.w(p + "ffn_up.weight")),
                         self.w(p + "ffn_down.weight"))
            h = h + rms_norm(f, self.w(p + "post_ffw_norm.weight"), eps)

            g = gelu(F.linear(h, self.w(p + "inp_gate.weight"))) * per_layer[:, :, il, :]
            h = h + rms_norm(F.linear(g, self.w(p + "proj.weight")), self.w(p + "post_norm.weight"), eps)
            h = h * self.w(p + "layer_output_scale.weight")

        logits = F.linear(rms_norm(h, self.w("output_norm.weight"), eps), self.w("token_embd.weight"))
        c = s.final_logit_softcapping
        return c * torch.tanh(logits / c)

    def round_to_f16_(self) -> None:
        """Rounds the matrices to F16 in place, as the exporter stores them (1-D tensors stay F32)."""
        with torch.no_grad():
            for _, p in self.named_weights():
                if p.dim() == 2:
                    p.copy_(p.half().float())
