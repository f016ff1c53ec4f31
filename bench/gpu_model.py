"""How well aicost's GPU serving model predicts measurements it was not fitted to.

Two checks, printed as Markdown tables (ratios = predicted / measured; 1.00 is exact):

1. Decode steps and prefill measured on one H200 (shared/reference/gpu-measured-h200.md, produced by
   shared/tools/decode_bench.py: a plain PyTorch Llama-3.1-8B-shaped model in BF16, CUDA graphs,
   fused attention, 1,024 tokens in the cache). The model's *nominal* roofline (MBU 0.6, MFU 0.5,
   prefill MFU 0.6, datasheet 4.8 TB/s and 989 TFLOPS) is what applies to a plain implementation:
   no engine's calibration is used.
2. Published serving figures at their exact shapes (NVIDIA NIM 1.8.0, TensorRT-LLM perf tables,
   MLPerf-style concurrency runs): each predicted **leave-one-out**, calibrated on the shipped
   profiles *without* that figure, at its own replica size, lengths and batch (the concurrency it
   ran at, or as many sequences as memory holds for a max-load run). Also the nominal roofline.

No GPU is needed: the measurements are read from the reference notes and the shipped table.

    python bench/gpu_model.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aicost.engine import gpu as G  # noqa: E402
from aicost.engine import throughput as T  # noqa: E402
from aicost.inputs.pricebook import PriceBook  # noqa: E402

#: gpu-measured-h200.md: decode step (CUDA graph, fused attention) at 1,024 cached tokens, ms by batch
H200_DECODE_MS = {1: 6.36, 8: 7.27, 32: 8.40, 64: 9.62, 128: 12.29, 256: 18.62}
H200_PREFILL_MS = 31.2  # 1 x 1,024 tokens, eager

#: (label, model, gpu, GPUs, precision, input, output, concurrency or None, measured output tok/s,
#:  measured ITL ms or None, source). Every figure is also a shipped profile, left out when predicting it.
PUBLISHED = [
    ("NIM 1.8.0, Llama 3.1 8B, 1x H100, c=200", "llama-3.1-8b", "h100-sxm", 1, "fp8", 200, 200, 200, 13348.4, 12.65,
     "docs.nvidia.com/nim/benchmarking/llm (NIM 1.8.0)"),
    ("NIM 1.8.0, Llama 3.1 8B, 1x H100, c=100", "llama-3.1-8b", "h100-sxm", 1, "fp8", 1000, 1000, 100, 9392.43, 10.04,
     "same"),
    ("NIM 1.8.0, Llama 3.3 70B, 2x H100, c=100", "llama-3.3-70b", "h100-sxm", 2, "fp8", 200, 200, 100, 3263.31, 29.87,
     "same"),
    ("NIM 1.8.0, Llama 3.3 70B, 2x H100, c=50", "llama-3.3-70b", "h100-sxm", 2, "fp8", 5000, 500, 50, 814.37, 59.7,
     "same"),
    ("TensorRT-LLM, Llama 3.1 8B, 1x H200, max load", "llama-3.1-8b", "h200-sxm", 1, "fp8", 1000, 1000, None, 17744, None,
     "TensorRT-LLM perf-overview @00f37686"),
    ("TensorRT-LLM, Llama 3.3 70B, 2x H200, max load", "llama-3.3-70b", "h200-sxm", 2, "fp8", 1000, 1000, None, 5174, None,
     "TensorRT-LLM perf-overview @03e27c7d"),
    ("TensorRT-LLM, gpt-oss-20b, 1x H100, 8K prompt", "gpt-oss-20b", "h100-sxm", 1, "mxfp4", 8192, 1024, None, 3366, None,
     "TensorRT-LLM perf-overview @03e27c7d"),
    ("TensorRT-LLM, gpt-oss-20b, 1x H100, 32K prompt", "gpt-oss-20b", "h100-sxm", 1, "mxfp4", 32768, 1024, None, 785,
     None, "TensorRT-LLM perf-overview @03e27c7d"),
    ("silybench, Qwen3-8B, 1x H100, 512 users in SLO", "qwen3-8b", "h100-sxm", 1, "fp8", 128, 128, 512, 16542, None,
     "tgarg01/silybench-data perf_points.csv"),
]


def _same(p, row) -> bool:
    s = p.spec
    _, model, gpu, n, prec, i, o, _, tps, _, _ = row
    return (s.model, s.gpu, s.gpus, s.precision, s.input_tokens, s.output_tokens) == (model, gpu, n, prec, i, o) and \
        math.isclose(s.output_tokens_per_s, tps, rel_tol=1e-3)


def decode_table(book) -> list[str]:
    m = book.gpus.models["llama-3.1-8b"].spec
    h200 = book.gpus.gpus["h200-sxm"].spec
    out = ["| batch | measured step (ms) | aicost nominal (ms) | ratio |", "|---|---|---|---|"]
    ratios = []
    for b, ms in H200_DECODE_MS.items():
        pred = T.step_seconds(m, h200, "bf16", 1, b, 1024) * 1e3
        ratios.append(pred / ms)
        out.append(f"| {b} | {ms:.2f} | {pred:.2f} | {pred / ms:.2f} |")
    pre = T.prefill_seconds(m, h200, "bf16", 1, 1024) * 1e3
    out.append(f"| prefill 1 x 1,024 | {H200_PREFILL_MS:.1f} | {pre:.1f} | {pre / H200_PREFILL_MS:.2f} |")
    out.append("")
    out.append(f"Decode ratios {min(ratios):.2f}-{max(ratios):.2f} (geometric mean "
               f"{math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}).")
    return out


def published_table(book) -> list[str]:
    out = ["| figure | shape (in/out) | batch | measured tok/s | nominal | calibrated (leave-one-out) | engine, scope "
           "| ITL measured / predicted (ms) |", "|---|---|---|---|---|---|---|---|"]
    cal_ratios, nom_ratios = [], []
    for row in PUBLISHED:
        label, model_id, gpu_id, n, prec, i, o, conc, tps, itl, _ = row
        model, gpu = book.gpus.models[model_id].spec, book.gpus.gpus[gpu_id].spec
        kept = [p for p in book.gpus.profiles if not _same(p, row)]
        assert len(kept) == len(book.gpus.profiles) - 1, f"{label}: not exactly one shipped profile"
        view = type(book.gpus)(gpus=book.gpus.gpus, offers=book.gpus.offers, models=book.gpus.models, profiles=kept)
        basis = T.Calibration(view).basis(model_id, gpu_id, prec, n, [(i, o, 1.0)])
        cap = T.max_batch(model, gpu, prec, n, i, o, math.inf if conc else T.MAX_BATCH)
        batch = max(1.0, min(cap, conc) if conc else cap)
        nominal = T.timing(model, gpu, prec, n, i, o, batch)
        calibrated = T.timing(model, gpu, prec, n, i, o, batch, basis.factor)
        nom_tps, cal_tps = o / nominal.seconds, o / calibrated.seconds
        nom_ratios.append(nom_tps / tps)
        cal_ratios.append(cal_tps / tps)
        itl_text = f"{itl:.1f} / {calibrated.tpot * 1e3:.1f}" if itl else "—"
        out.append(f"| {label} | {i}/{o} | {batch:,.0f} | {tps:,.0f} | {nom_tps / tps:.2f} | {cal_tps / tps:.2f} | "
                   f"{basis.engine or 'nominal'}, {basis.scope} | {itl_text} |")
    geo = lambda xs: math.exp(sum(abs(math.log(x)) for x in xs) / len(xs))  # noqa: E731
    out.append("")
    out.append(f"Throughput ratios, nominal: {min(nom_ratios):.2f}-{max(nom_ratios):.2f}; calibrated (leave-one-out): "
               f"{min(cal_ratios):.2f}-{max(cal_ratios):.2f}; typical error (geometric mean of max(r, 1/r)): "
               f"nominal {geo(nom_ratios):.2f}x, calibrated {geo(cal_ratios):.2f}x.")
    return out


def main() -> None:
    book = PriceBook.load([])
    assert G.MBU == 0.6
    print("### Decode steps and prefill on one H200 (Llama-3.1-8B shape, BF16, 1,024 cached tokens)\n")
    print("\n".join(decode_table(book)))
    print("\n### Published serving figures at their exact shapes\n")
    print("\n".join(published_table(book)))


if __name__ == "__main__":
    main()
