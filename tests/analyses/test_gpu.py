"""Rented GPUs: hand-worked fleet costs, memory fit, always-on vs autoscaled, break-even, properties."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aicost.report.explain import reason, says  # noqa: F401
from aicost.engine.designs import Designs
from aicost.engine.roots import crossings
from aicost.analyses.compare import compare_loaded, plan_for
from aicost.engine import gpu as G
from aicost.engine.evaluate import evaluate
from aicost.base.errors import InputError
from aicost.inputs.pricebook import PriceBook
from conftest import AS_OF, ROOT, loaded

TEST_GPUS = ROOT / "tests" / "data" / "gpus_test"


@pytest.fixture(scope="module")
def gbook():
    return PriceBook.load([TEST_GPUS])


@pytest.fixture(scope="module")
def tbook():
    """The test GPU table alone: its one profile is the only measurement, so it is reproduced exactly."""
    return PriceBook.load([TEST_GPUS], bundled=False)


def scenario(tasks=1_000_000, scaling="autoscaled", target=1.0, min_replicas=0, peak=1.0, hosted=None, **sh):
    return {
        "version": 1, "name": "gpu", "volume": {"tasks_per_month": tasks, "peak_to_average": peak},
        "latency": {"deadline_hours": 24},
        "attempt": {"steps": [{"name": "s", "input_tokens": 1000, "output_tokens": 1000}]},
        "models": hosted or {},
        "self_hosted": {"models": {"llama-3.3-70b": {"p_success": 1.0}}, "providers": ["acme"],
                        "gpus": ["h100-sxm"], "scaling": [scaling], "target_utilisation": target,
                        "min_replicas": min_replicas, "ops_monthly": 0, **sh},
        "value": {"value_per_success": 1.0},
    }


def gpu_row(book, data, option_id=None):
    res = compare_loaded(loaded(data, book), book, as_of=AS_OF)
    rows = [o for o in res.options if o.kind == "gpu" and (option_id is None or o.id == option_id)]
    assert len(rows) == 1, [o.id for o in res.options]
    return rows[0]


def test_cost_per_million_output_tokens_by_hand(tbook):
    # 2 x H100 at $3.99/GPU-h serving 4,418 output tok/s per replica (the one profile, at its own lengths,
    # is reproduced exactly), fully busy: 23,221,008 requests of 1,000 output tokens keep exactly two
    # replicas busy all month (4,418 / 1,000 x 3,600 x 730 = 11,610,504 each), a flat day, target 1:
    # $/1M = 3.99 x 2 / (4,418 x 3,600) x 1e6 = 7.98 / 15,904,800 x 1e6 = $0.501735
    tasks = 2 * 4418 * 3600 * 730 / 1000
    o = gpu_row(tbook, scenario(tasks=tasks))
    assert o.gpu["gpus_per_replica"] == 2 and o.gpu["precision"] == "fp8"
    assert o.gpu["cost_per_mtok_output"] == pytest.approx(7.98 / (4418 * 3600) * 1e6)
    # the month: 2 replicas x 2 GPUs x 730 h = 2,920 GPU-h x $3.99 = $11,650.80
    assert o.gpu["gpu_hours"] == pytest.approx(2920)
    assert o.metrics["monthly_cost"] == pytest.approx(2920 * 3.99)
    # p = 1, k = 1: cost per success = cost per attempt = the fleet's month / tasks
    assert o.metrics["cost_per_success"] == pytest.approx(o.metrics["monthly_cost"] / tasks)
    # a quarter less work still rents whole replicas each hour: 1.5 replicas' work needs 2
    less = gpu_row(tbook, scenario(tasks=tasks * 0.75))
    assert less.gpu["gpu_hours"] == pytest.approx(2920)


def test_memory_fit_by_hand(gbook):
    m = gbook.gpus.models["llama-3.3-70b"].spec
    h100 = gbook.gpus.gpus["h100-sxm"].spec
    # BF16 weights: 70.6e9 x 2 = 141.2 GB > 72 GB usable on one 80 GB GPU: does not fit on one
    assert G.min_gpus(m, h100, "bf16", 2000, max_gpus=1) is None
    # with 8 x 2,000 tokens of KV (2 x 80 x 8 x 128 x 2 B = 327,680 B/token -> 5.2 GB): 146.4 GB > 144 GB
    # on two, so four
    assert G.min_gpus(m, h100, "bf16", 2000) == 4
    # FP8: 70.6 GB + 2.6 GB of FP8 KV = 73.2 GB > 72 GB, so two
    assert G.min_gpus(m, h100, "fp8", 2000) == 2


def test_a_model_that_does_not_fit_is_ineligible(gbook):
    o = gpu_row(gbook, scenario(max_gpus_per_replica=2, precision="bf16"))
    assert o.status == "ineligible" and "does not fit" in reason(o)
    assert o.metrics["cost_per_success"] is None and o.metrics["monthly_cost"] is None


def test_roofline_is_calibrated_and_labelled_where_nothing_is_measured(tbook, gbook):
    o = gpu_row(tbook, scenario(gpus=["a100-80-sxm"], precision="bf16"))
    said = says(o.gpu["throughput"])[0]
    assert o.gpu["estimated"] and said.startswith("estimated:") and "measurements on other GPUs" in said
    assert any("throughput is estimated" in n for n in says(o.notes))
    assert o.gpu["gpus_per_replica"] == 4 and o.metrics["cost_per_success"] > 0
    # with the shipped tables, other models measured on the A100 calibrate it
    said = says(gpu_row(gbook, scenario(gpus=["a100-80-sxm"], precision="bf16")).gpu["throughput"])[0]
    assert "other models' measurements on this GPU" in said


def test_measured_profile_at_its_own_lengths_is_reproduced(tbook):
    gbook = tbook
    from aicost.engine import throughput as T

    m = gbook.gpus.models["llama-3.3-70b"].spec
    h100 = gbook.gpus.gpus["h100-sxm"].spec
    cal = T.calibration(gbook.gpus)
    basis = cal.basis("llama-3.3-70b", "h100-sxm", "fp8", 2, [(1000, 1000, 1.0)])
    assert basis.measured and basis.engine == "TensorRT-LLM" and basis.scope == "model"
    b = T.max_batch(m, h100, "fp8", 2, 1000, 1000)
    t = T.timing(m, h100, "fp8", 2, 1000, 1000, b, basis.factor)
    assert t.seconds == pytest.approx(1000 / 4418)  # the measured 4,418 tok/s
    share = t.prefill_share
    assert 0 < share < 1
    # twice the output at the same input, stretched in a sweep: the decode part doubles, the prefill part stays
    t2 = G.seconds_per_request(1000 / 4418, share, 1000, 1000, 1000, 2000)
    assert t2 == pytest.approx(1000 / 4418 * (share + 2 * (1 - share)))


def test_always_on_versus_autoscaled(tbook):
    gbook = tbook
    on, auto = "gpu/llama-3.3-70b:h100-sxm:acme:on-demand:always-on", "gpu/llama-3.3-70b:h100-sxm:acme:on-demand:autoscaled"
    # low volume, one replica kept: both pay the floor, 2 GPUs x 730 h x $3.99 = $5,825.40
    low = scenario(tasks=1000, min_replicas=1, target=0.7, scaling="always-on")
    low["self_hosted"]["scaling"] = ["always-on", "autoscaled"]
    for oid in (on, auto):
        assert gpu_row(gbook, low, oid).metrics["monthly_cost"] == pytest.approx(2 * 730 * 3.99)
    # high volume: 10M requests = 628.7 busy replica-hours (0.861 replicas on average); peak 2x at 70%
    # target. Always-on: ceil(0.861 x 2 / 0.7) = 3 replicas x 2 GPUs x 730 h = 4,380 GPU-h.
    # Autoscaled, hour by hour over a working day (8 h at 2x, 16 h at 0.5x): ceil(0.861 x 2 / 0.7) = 3
    # replicas in the peak, max(1, ceil(0.861 x 0.5 / 0.7)) = 1 the rest; (8 x 3 + 16 x 1) x 2 GPUs = 80
    # GPU-h a day, plus 4 GPUs started each morning x 10 min of cold start = 0.667: x 730 / 24 a month
    high = scenario(tasks=10_000_000, min_replicas=1, target=0.7, peak=2.0)
    high["self_hosted"]["scaling"] = ["always-on", "autoscaled"]
    assert gpu_row(gbook, high, on).gpu["gpu_hours"] == pytest.approx(3 * 2 * 730)
    assert gpu_row(gbook, high, on).gpu["replicas"] == 3
    assert gpu_row(gbook, high, auto).gpu["gpu_hours"] == pytest.approx((80 + 4 * 10 / 60) * 730 / 24)
    assert gpu_row(gbook, high, auto).gpu["replicas"] == pytest.approx((8 * 3 + 16) / 24)


def test_break_even_volume_is_where_both_cost_the_same(gbook):
    data = scenario(tasks=100_000, min_replicas=1, target=0.7, hosted={"gpt-5.4": {"p_success": 1.0}})
    ls = loaded(data, gbook)
    plan = plan_for(ls, gbook, AS_OF)
    ids = [o.id for o in plan.options]
    a = ids.index("openai/gpt-5.4:standard")
    b = ids.index("gpu/llama-3.3-70b:h100-sxm:acme:on-demand:autoscaled")
    found = crossings(Designs.one(plan, ls.values()), ("volume", "tasks_per_month"), a, b, 1e2, 1e9,
                      metric="cost_per_success")
    assert len(found) == 1 and found[0].kind == "equal"
    v = found[0].value
    at = lambda x: _cps(plan, ls.values(), x)  # noqa: E731
    assert at(v)[a] == pytest.approx(at(v)[b], rel=1e-6)
    assert at(v * 0.99)[b] > at(v * 0.99)[a]  # below the break-even the GPU costs more per success
    assert at(v * 1.01)[b] < at(v * 1.01)[a]  # above it, less


def _cps(plan, values, tasks):
    v = copy.deepcopy(values)
    v["volume"]["tasks_per_month"] = tasks
    return evaluate(plan, v)["cost_per_success"][:, 0]


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(tasks=st.floats(1, 1e9), target=st.floats(0.05, 0.95), bump=st.floats(0.0, 0.05),
       scaling=st.sampled_from(["always-on", "autoscaled"]), peak=st.floats(1, 5), min_r=st.integers(0, 3))
def test_higher_utilisation_never_costs_more(gbook, tasks, target, bump, scaling, peak, min_r):
    base = scenario(tasks=tasks, scaling=scaling, target=target, min_replicas=min_r, peak=peak)
    more = scenario(tasks=tasks, scaling=scaling, target=min(1.0, target + bump), min_replicas=min_r, peak=peak)
    assert gpu_row(gbook, more).metrics["cost_per_success"] <= gpu_row(gbook, base).metrics["cost_per_success"] * (1 + 1e-12)


@SETTINGS
@given(tasks=st.floats(1, 1e9), cut=st.floats(0.0, 0.9), scaling=st.sampled_from(["always-on", "autoscaled"]))
def test_cheaper_hours_never_cost_more(gbook, tasks, cut, scaling):
    data = scenario(tasks=tasks, scaling=scaling, target=0.7, min_replicas=1)
    ls = loaded(data, gbook)
    plan = plan_for(ls, gbook, AS_OF)
    before = evaluate(plan, ls.values())["cost_per_success"][-1, 0]
    plan.gpu["per_gpu_hour"] = plan.gpu["per_gpu_hour"] * (1 - cut)
    after = evaluate(plan, ls.values())["cost_per_success"][-1, 0]
    assert after <= before * (1 + 1e-12)


@SETTINGS
@given(tasks=st.floats(0, 100), min_r=st.integers(1, 4))
def test_always_on_at_low_volume_pays_at_least_the_minimum_replicas(gbook, tasks, min_r):
    o = gpu_row(gbook, scenario(tasks=tasks, scaling="always-on", target=0.7, min_replicas=min_r))
    assert o.gpu["gpu_hours"] >= min_r * 2 * 730 - 1e-9
    assert o.metrics["monthly_cost"] >= min_r * 2 * 730 * 3.99 - 1e-6


@pytest.mark.parametrize("old,new,expected", [
    ("gpu: h100-sxm, gpus: 2", "gpu: h100-sx, gpus: 2", "gpus.yaml:16: profiles[0].gpu: unknown GPU 'h100-sx' (did you mean 'h100-sxm'?)"),
    ("output_tokens_per_s: 4418", "output_tokens_per_s: 0", "gpus.yaml:17: profiles[0].output_tokens_per_s: must be greater than 0 (got 0)"),
    ("per_gpu_hour: 3.99", "per_gpu_hour: -3.99", "gpus.yaml:11: offers[0].per_gpu_hour: must be at least 0 (got -3.99)"),
    ("model: llama-3.3-70b, gpu", "model: llama-70b, gpu", "gpus.yaml:16: profiles[0].model: unknown model 'llama-70b'"),
])
def test_bad_gpu_data(tmp_path, old, new, expected):
    text = (TEST_GPUS / "gpus.yaml").read_text()
    assert old in text
    (tmp_path / "gpus.yaml").write_text(text.replace(old, new))
    book = PriceBook.load([tmp_path], bundled=False)  # the GPU tables are read when first used
    with pytest.raises(InputError) as exc:
        book.gpus  # noqa: B018
    got = [str(p).replace(str(tmp_path) + "/", "") for p in exc.value.problems]
    assert any(g.startswith(expected) for g in got), got


def test_unknown_open_model_in_a_scenario(gbook):
    data = scenario()
    data["self_hosted"]["models"] = {"llama-3.3-7b": {"p_success": 0.5}}
    with pytest.raises(InputError) as exc:
        loaded(data, gbook)
    assert "unknown open model 'llama-3.3-7b' (did you mean 'llama-3.3-70b'?)" in str(exc.value)


def test_sliding_window_layers_hold_only_their_window_of_kv():
    from types import SimpleNamespace

    # gpt-oss-20b: 24 layers, 12 on a 128-token window, 8 KV heads x 64, BF16 KV (2 B):
    # per token and layer 2 x 8 x 64 x 2 = 2,048 B; at 8,000 tokens 2,048 x (12 x 8,000 + 12 x 128)
    oss = SimpleNamespace(layers=24, kv_heads=8, head_dim=64, sliding_layers=12, sliding_window=128)
    assert G.kv_bytes(oss, "bf16", 8000) == 2048 * (12 * 8000 + 12 * 128) == 199_753_728
    full = SimpleNamespace(layers=24, kv_heads=8, head_dim=64, sliding_layers=0, sliding_window=None)
    assert G.kv_bytes(full, "bf16", 8000) == 2048 * 24 * 8000  # twice as large, nearly
    assert G.kv_bytes(oss, "bf16", 100) == 2048 * 24 * 100  # shorter than the window: every layer holds all


def test_the_shipped_gpt_oss_shapes_declare_their_windows_and_a_bad_window_is_refused(tmp_path):
    book = PriceBook.load([])
    for name, sliding in (("gpt-oss-20b", 12), ("gpt-oss-120b", 18)):
        m = book.gpus.models[name].spec
        assert (m.sliding_window, m.sliding_layers) == (128, sliding) and m.layers == 2 * sliding
    bad = tmp_path / "g.yaml"
    bad.write_text((TEST_GPUS / "gpus.yaml").read_text().replace(
        "head_dim: 128, weight_bytes", "head_dim: 128, sliding_layers: 90, weight_bytes"))
    from typer.testing import CliRunner

    from aicost.cli import app

    r = CliRunner().invoke(app, ["pricing", "validate", str(bad)])
    assert r.exit_code == 2 and f"{bad}:14: models.llama-3.3-70b: sliding_layers (90) is more than layers (80)" in r.output
