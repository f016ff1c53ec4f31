"""Rented GPUs as served and billed: the calibrated throughput model (attention in prefill, smooth in
shape, newest engines), the cheapest replica size, latency at the batch the fleet runs, whole
instances, billing increments and the day's shape."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aicost.analyses.compare import compare_loaded
from aicost.base.errors import InputError
from aicost.engine import gpu as G
from aicost.engine import throughput as T
from aicost.inputs.pricebook import PriceBook
from aicost.report.explain import reason, says
from conftest import AS_OF, ROOT, loaded

TEST_GPUS = ROOT / "tests" / "data" / "gpus_test"


@pytest.fixture(scope="module")
def shipped():
    return PriceBook.load([])


def scenario(model="llama-3.1-8b", i=1000, o=1000, tasks=1_000_000, latency=None, gpus=("h100-sxm",),
             providers=("runpod",), peak=None, **sh):
    vol = {"tasks_per_month": tasks}
    if peak is not None:
        vol["peak_to_average"] = peak
    return {
        "version": 1, "name": "serving", "volume": vol,
        "latency": latency or {"deadline_hours": 24},
        "attempt": {"steps": [{"name": "s", "input_tokens": i, "output_tokens": o}]},
        "models": {},
        "self_hosted": {"models": {model: {"p_success": 1.0}}, "providers": list(providers), "gpus": list(gpus),
                        "scaling": ["autoscaled"], "min_replicas": 0, "target_utilisation": 1.0, "ops_monthly": 0,
                        **sh},
        "value": {"value_per_success": 1.0},
    }


def gpu_rows(book, data):
    res = compare_loaded(loaded(data, book), book, as_of=AS_OF)
    return [o for o in res.options if o.kind == "gpu"]


def per_mtok_at_full_use(book, data) -> tuple[float, int]:
    """$/1M output tokens at full use of the cheapest offer on its cheapest replica size (the speed
    alone, before the fleet's whole replicas), and the replica size the fleet chose."""
    best = min(gpu_rows(book, data), key=lambda o: o.gpu["per_gpu_hour"])
    cheapest = min(r["cost_per_mtok_output_at_full_use"] for r in best.gpu["replica_sizes"] if r["meets_need"])
    return cheapest, best.gpu["gpus_per_replica"]


# ---- the physics, by hand --------------------------------------------------------------------------------

def test_prefill_has_an_attention_term_that_grows_with_the_square_of_the_prompt(shipped):
    m = shipped.gpus.models["llama-3.1-8b"].spec
    h100 = shipped.gpus.gpus["h100-sxm"].spec
    # 8,000-token prompt, FP8 on one H100 (1,978.9 TFLOPS x MFU 0.6):
    # weights: 2 x 8.03e9 x 8,000 = 1.2848e14 FLOPs
    # attention: 4 x 32 heads x 128 x 8,000 x (32 layers x 4,000 keys on average, causal) = 1.6777e13
    flops = 2 * 8.03e9 * 8000 + 4 * 32 * 128 * 8000 * (32 * 4000)
    assert T.prefill_seconds(m, h100, "fp8", 1, 8000) == pytest.approx(flops / (1978.9e12 * 0.6))
    # the attention share grows with the prompt: 12% at 8K, 65% at 64K (= 2.3 x the linear part... )
    lin = lambda n: 2 * 8.03e9 * n / (1978.9e12 * 0.6)  # noqa: E731
    assert T.prefill_seconds(m, h100, "fp8", 1, 8000) / lin(8000) == pytest.approx(1.1306, abs=1e-3)
    assert T.prefill_seconds(m, h100, "fp8", 1, 64000) / lin(64000) == pytest.approx(1 + 0.1306 * 8, abs=1e-3)


def test_sliding_window_layers_attend_to_their_window_in_prefill_and_decode(shipped):
    m = shipped.gpus.models["gpt-oss-20b"].spec
    h100 = shipped.gpus.gpus["h100-sxm"].spec
    # gpt-oss-20b: 24 layers, 12 of them on a 128-token window; 64 query heads of 64; 3.6B active.
    # 8,000-token prompt: keys = 12 x 4,000 + 12 x min(4,000, 128) = 49,536 per query
    flops = 2 * 3.6e9 * 8000 + 4 * 64 * 64 * 8000 * (12 * 4000 + 12 * 128)
    assert T.prefill_seconds(m, h100, "mxfp4", 1, 8000) == pytest.approx(flops / (989.4e12 * 0.6))
    # its KV cache: 2 x 8 KV heads x 64 x 2 B = 2,048 B per token and layer; 12 x 8,000 + 12 x 128 tokens
    assert G.kv_bytes(m, "mxfp4", 8000) == pytest.approx(2048 * (12 * 8000 + 12 * 128))


def test_tensor_parallel_pays_a_latency_per_layer_and_its_all_reduces(shipped):
    m = shipped.gpus.models["llama-3.3-70b"].spec
    h100 = shipped.gpus.gpus["h100-sxm"].spec
    # batch 1 at 1,000 tokens on 2 GPUs: (70.6 GB + 1,000 x 163,840 B) / (2 x 3,350 GB/s x 0.6) + 4 x 80 x 8 us
    # + two all-reduces a layer of 1 token x 8,192 hidden x 2 B, x 2 (n - 1) / n = 1, over 450 GB/s each way
    kv = 2 * 8 * 128 * 1 * 80 * 1000
    allreduce = 2 * 80 * 1.0 * 1 * 8192 * 2 / 450e9
    want = (70.6e9 + kv) / (2 * 3350e9 * 0.6) + 4 * 80 * 8e-6 + allreduce
    assert T.step_seconds(m, h100, "fp8", 2, 1, 1000) == pytest.approx(want)
    # over PCIe (an L40S, 64 GB/s both ways) a batch of 64 moves 64 tokens a layer: 14 times NVLink's time
    l40s = shipped.gpus.gpus["l40s"].spec
    over_pcie = T._comm(m, l40s, 2, 64) - 4 * 80 * 8e-6
    over_nvlink = T._comm(m, h100, 2, 64) - 4 * 80 * 8e-6
    assert over_pcie / over_nvlink == pytest.approx(900 / 64)


# ---- calibration ---------------------------------------------------------------------------------------

def test_only_the_newest_engine_generation_calibrates_a_model_on_a_gpu(shipped):
    cal = T.calibration(shipped.gpus)
    scope, pool = cal._pool("llama-3.1-8b", "h100-sxm", "fp8", None)
    assert scope == "model" and pool
    assert {p.spec.generation for p in pool} == {2025}
    assert not any("v0.5.4" in p.spec.engine for p in pool)  # the 2024 vLLM runs do not drag it down


def test_the_160_to_200_token_jump_is_gone(shipped):
    # before: $0.026 per 1M output tokens at 160/160 and $0.213 at 200/200 (a 2024 vLLM profile was nearest)
    a, _ = per_mtok_at_full_use(shipped, scenario(i=160, o=160))
    b, _ = per_mtok_at_full_use(shipped, scenario(i=200, o=200))
    assert 1 / 1.25 <= b / a <= 1.25


SHAPES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SHAPES
@given(model=st.sampled_from(["llama-3.1-8b", "llama-3.3-70b", "qwen3-32b", "gpt-oss-20b", "gpt-oss-120b"]),
       gpu=st.sampled_from(["h100-sxm", "a100-80-sxm"]),
       i=st.floats(50, 30000), o=st.floats(20, 4000), which=st.sampled_from(["input", "output"]),
       change=st.sampled_from([1 / 1.25, 1.25]))
def test_cost_moves_smoothly_with_the_shape(shipped, model, gpu, i, o, which, change):
    """A 25% change of input or output length never moves $/1M output tokens by more than 1.5 times
    unless the memory fit (the smallest replica) changes."""
    providers = ("runpod",)
    base = scenario(model=model, i=i, o=o, gpus=(gpu,), providers=providers)
    moved = scenario(model=model, i=i * (change if which == "input" else 1), o=o * (change if which == "output" else 1),
                     gpus=(gpu,), providers=providers)
    a_rows, b_rows = gpu_rows(shipped, base), gpu_rows(shipped, moved)
    if not a_rows or not b_rows or a_rows[0].gpu["gpus_per_replica"] is None or b_rows[0].gpu["gpus_per_replica"] is None:
        return
    fit = lambda rows: min(r["gpus"] for r in rows[0].gpu["replica_sizes"])  # noqa: E731
    if fit(a_rows) != fit(b_rows):
        return
    a, _ = per_mtok_at_full_use(shipped, base)
    b, _ = per_mtok_at_full_use(shipped, moved)
    assert 1 / 1.5 <= b / a <= 1.5, (a, b)


# ---- the replica size ------------------------------------------------------------------------------------

def test_seventy_b_fp8_with_short_prompts_takes_the_cheaper_two_gpu_replica(shipped):
    # before: one H100 (the smallest that fits) at 419 tok/s, $1.78/M; two GPUs serve far more per GPU.
    # At a volume that keeps the fleet busy the two-GPU replica costs less per success ...
    rows = gpu_rows(shipped, scenario(model="llama-3.3-70b", i=200, o=200, precision="fp8", tasks=300_000_000))
    o = rows[0]
    sizes = {r["gpus"]: r for r in o.gpu["replica_sizes"]}
    assert 1 in sizes and 2 in sizes
    assert o.gpu["gpus_per_replica"] == 2 and sizes[2]["chosen"]
    assert sizes[2]["cost_per_mtok_output_at_full_use"] < sizes[1]["cost_per_mtok_output_at_full_use"] / 2
    # about what MLPerf v4.1 implies ($0.24/M at $2.69/h) rather than the 2024 vLLM run
    assert sizes[2]["cost_per_mtok_output_at_full_use"] < 0.5
    # ... while a trickle of 10,000 requests a month costs least on one GPU kept warm
    small = gpu_rows(shipped, scenario(model="llama-3.3-70b", i=200, o=200, precision="fp8", tasks=10_000))[0]
    assert small.gpu["gpus_per_replica"] == 1
    assert small.metrics["monthly_cost"] == pytest.approx(730 * small.gpu["per_gpu_hour"])


# ---- latency at the batch the fleet runs -------------------------------------------------------------------

def test_a_gpu_option_over_an_interactive_need_is_ineligible_with_the_reason(shipped):
    rows = gpu_rows(shipped, scenario(model="qwen3-32b", i=2000, o=1000, latency={"p95_seconds": 2}))
    assert rows and all(r.status == "ineligible" for r in rows)
    text = reason(rows[0])
    assert "too slow" in text and "one request at a time" in text and "p95 2 s" in text


def test_a_latency_need_holds_the_batch_down_and_costs_more(shipped):
    free = gpu_rows(shipped, scenario(model="qwen3-32b", i=2000, o=300))[0]
    held = gpu_rows(shipped, scenario(model="qwen3-32b", i=2000, o=300, latency={"p95_seconds": 12}))[0]
    assert held.status == "ok"
    assert held.gpu["batch"] < free.gpu["batch"]
    assert held.metrics["latency_seconds"] <= 12 + 1e-6
    assert held.gpu["cost_per_mtok_output"] > free.gpu["cost_per_mtok_output"]


# ---- fleets billed as rented ----------------------------------------------------------------------------

def _book_with(tmp_path, offers: str):
    text = (TEST_GPUS / "gpus.yaml").read_text()
    start, end = text.index("offers:"), text.index("models:")
    (tmp_path / "gpus.yaml").write_text(text[:start] + "offers:\n" + offers + text[end:])
    return PriceBook.load([tmp_path], bundled=False)


def test_an_eight_gpu_only_offer_bills_whole_instances(tmp_path):
    book = _book_with(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99, "
                                "gpus_per_instance: 8}\n")
    # 3 replicas of 2 GPUs at the busiest hour fit one 8-GPU instance; 5 need two (16 GPUs, not 10)
    per_replica = 4418 * 3600 * 730 / 1000  # requests one replica serves in a month, fully busy
    for replicas, gpus in ((2.5, 8), (4.2, 16)):
        data = scenario(model="llama-3.3-70b", providers=("acme",), tasks=replicas * per_replica, precision="fp8")
        o = gpu_rows(book, data)[0]
        assert o.gpu["gpus_per_replica"] == 2
        assert o.gpu["gpu_hours"] == pytest.approx(gpus * 730)


def test_a_reservation_is_paid_all_month_and_hourly_billing_follows_the_day(tmp_path):
    book = _book_with(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99}\n"
                                "  - {provider: acme, gpu: h100-sxm, pricing: reserved, per_gpu_hour: 2.0}\n")
    data = scenario(model="llama-3.3-70b", providers=("acme",), tasks=20_000_000, precision="fp8", peak=3.0,
                    pricing=["on-demand", "reserved"])
    rows = {o.tier: o for o in gpu_rows(book, data)}
    on, res = rows["on-demand"], rows["reserved"]
    peak_gpus = res.gpu["gpu_hours"] / 730
    assert peak_gpus == int(peak_gpus)  # the busiest hour's GPUs, every hour of the month
    assert on.gpu["gpu_hours"] < res.gpu["gpu_hours"]


def test_an_autoscaled_fleet_costs_more_with_a_peakier_day(tmp_path):
    # a fleet of tens of replicas: the peak hours' extra replicas are started (and paid while they
    # load) each day, and the valleys keep the floor (at a handful of replicas, whole-replica rounding
    # can make a flat day cost more than a peaky one: 4 replicas all day against 3 and 5)
    book = _book_with(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99}\n")
    cost = {}
    for peak in (1.0, 1.5, 2.0, 3.0, 6.0):
        data = scenario(model="llama-3.3-70b", providers=("acme",), tasks=300_000_000, precision="fp8", peak=peak,
                        target_utilisation=0.8, min_replicas=1)
        cost[peak] = gpu_rows(book, data)[0].metrics["monthly_cost"]
    values = [cost[p] for p in sorted(cost)]
    assert values == sorted(values) and values[-1] > values[0]


def test_a_daily_shape_is_followed_hour_by_hour(tmp_path):
    book = _book_with(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99}\n")
    per_replica = 4418 * 3600 * 730 / 1000
    data = scenario(model="llama-3.3-70b", providers=("acme",), tasks=per_replica, precision="fp8",
                    cold_start_minutes=0)
    # all the day's work in 12 hours: 2 replicas for 12 h, none for 12 h (no floor) = 2 x 2 x 12 GPU-h a day
    data["volume"]["daily_shape"] = [0] * 12 + [1] * 12
    o = gpu_rows(book, data)[0]
    assert o.gpu["gpu_hours"] == pytest.approx(2 * 2 * 12 * 730 / 24)
    # ... and 10 minutes of cold start for the 4 GPUs started each day
    data["self_hosted"]["cold_start_minutes"] = 10
    o = gpu_rows(book, data)[0]
    assert o.gpu["gpu_hours"] == pytest.approx((2 * 2 * 12 + 4 / 6) * 730 / 24)


@pytest.mark.parametrize("volume,expected", [
    ({"tasks_per_month": 1, "peak_to_average": 2, "daily_shape": [1] * 24}, "give daily_shape or peak_to_average"),
    ({"tasks_per_month": 1, "daily_shape": [0] * 24}, "no load in any hour"),
    ({"tasks_per_month": 1, "daily_shape": [1] * 23}, "needs at least 24 items (got 23)"),
    ({"tasks_per_month": 1, "daily_shape": [1] * 25}, "needs at most 24 items (got 25)"),
    ({"tasks_per_month": 1, "daily_shape": [1] * 23 + [-1]}, "at least 0"),
])
def test_a_bad_daily_shape_is_refused(shipped, tmp_path, volume, expected):
    import yaml

    from aicost.inputs.scenario import load

    data = scenario()
    data["volume"] = volume
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as exc:
        load(path, shipped)
    text = str(exc.value)
    assert expected in text and "s.yaml:" in text and "volume" in text


def test_a_daily_shape_sets_the_peak_for_rate_limits(shipped):
    data = scenario()
    data["volume"]["daily_shape"] = [1] * 20 + [5] * 4  # mean 40 / 24 = 1.667, peak 5: 3 x the mean
    ls = loaded(data, shipped)
    assert ls.values()["volume"]["peak_to_average"] == pytest.approx(3.0)


def test_the_throughput_explains_its_basis(shipped):
    o = gpu_rows(shipped, scenario(i=1000, o=1000))[0]
    said = says(o.gpu["throughput"])[0]
    assert said.startswith("measured:") and "TensorRT-LLM" in said and "1000/1000" in said
    assert math.isfinite(o.gpu["batch"]) and o.gpu["batch"] > 1


def test_every_shipped_offer_has_its_own_date_and_source():
    import yaml

    data = yaml.safe_load((ROOT / "pricing" / "gpus.yaml").read_text())
    undated = [o.get("instance") for o in data["offers"] if "checked" not in o or "source" not in o]
    assert undated == []
    assert {"h200-sxm", "b200", "l40s"} <= set(data["gpus"])
    assert {"gcp", "coreweave", "nebius", "modal"} <= {o["provider"] for o in data["offers"]}
    assert {o["pricing"] for o in data["offers"] if o["provider"] == "gcp"} == {"on-demand", "spot", "reserved"}


def test_a_stale_offer_is_warned_under_max_price_age():
    from typer.testing import CliRunner

    from aicost.cli import app

    r = CliRunner().invoke(app, ["gpu", "self-hosted-wins", "--max-price-age", "200", "--as-of", "2026-11-30"])
    assert r.exit_code == 0, r.output
    # Lambda's 1x A100 price was last corroborated on 2026-05-07 (207 days before)
    stale = [line for line in r.stderr.splitlines() if "gpu_1x_a100)" in line]
    assert stale and "GPU-hour price was checked 207 days before 2026-11-30" in stale[0] and "gpus.yaml:" in stale[0]


def test_the_engines_a_team_runs_restrict_the_calibration(shipped):
    from typer.testing import CliRunner

    from aicost.cli import app

    only = gpu_rows(shipped, scenario(i=1000, o=1000, engines=["vLLM"]))[0]
    assert "(vLLM," in says(only.gpu["throughput"])[0]
    r = CliRunner().invoke(app, ["gpu", "self-hosted-wins", "--set", "self_hosted.engines=[vllm]"])
    assert r.exit_code == 2 and "self_hosted.engines[0]: no serving profile measured on 'vllm'" in r.stderr


# ---- turns, tools, context and the need as the hosted options count them -----------------------------------

def test_gpu_latency_counts_one_turn_per_call_plus_the_tools_time(shipped):
    base = scenario(i=1000, o=200, latency={"p95_seconds": 60})
    with_tools = scenario(i=1000, o=200, latency={"p95_seconds": 60})
    with_tools["attempt"]["steps"][0]["tool_seconds"] = 20
    a, b = gpu_rows(shipped, base)[0], gpu_rows(shipped, with_tools)[0]
    # the tools' 20 s come out of what the fleet may take, then are added to the attempt's time
    assert b.metrics["latency_seconds"] <= 60 + 1e-6 and b.metrics["latency_seconds"] >= 20
    assert b.gpu["batch"] <= a.gpu["batch"]
    tight = scenario(i=1000, o=200, latency={"p95_seconds": 19})
    tight["attempt"]["steps"][0]["tool_seconds"] = 20
    assert all(r.status == "ineligible" for r in gpu_rows(shipped, tight))
    # turns are requests (each resends the history) but a user waits for one answer per call
    turns = scenario(i=1000, o=200, latency={"p95_seconds": 60})
    turns["attempt"]["steps"][0].update(turns=3, turn_input_tokens=500)
    t = gpu_rows(shipped, turns)[0]
    # three requests a call, the later ones with the history: more than three times the busy time
    assert t.gpu["gpu_hours"] * t.gpu["utilisation"] > 3 * a.gpu["gpu_hours"] * a.gpu["utilisation"]
    assert t.metrics["latency_seconds"] <= 60 + 1e-6


def test_a_prompt_longer_than_the_open_models_window_is_ineligible(shipped):
    rows = gpu_rows(shipped, scenario(model="llama-3.1-8b", i=300_000, o=100))
    assert rows and all(r.status == "ineligible" for r in rows)
    assert all("context" in reason(r) for r in rows if r.gpu["gpus_per_replica"])


def test_a_minutes_need_holds_gpu_options_in_sweeps_too(shipped):
    import numpy as np

    from aicost.analyses.compare import designs_for

    data = scenario(model="llama-3.3-70b", i=2000, o=4000, latency={"minutes": 0.1})
    ls = loaded(data, shipped)
    designs, ids = designs_for(ls, shipped, AS_OF)
    res = gpu_rows(shipped, data)
    too_slow = {r.id for r in res if r.status == "ineligible" and "too slow" in reason(r)}
    assert too_slow
    m = designs.metric("cost_per_success", {("volume", "tasks_per_month"): np.asarray([1e6, 2e6])})
    for oid in too_slow:
        assert np.all(np.isnan(m[ids.index(oid)]))  # not usable at any point of a sweep


def test_a_sweep_decides_once_whether_to_plan_each_point_again(shipped):
    import numpy as np

    from aicost.analyses.compare import designs_for
    from aicost.engine import sweep
    from aicost.inputs.vary import Vary

    ls = loaded(scenario(i=1000, o=1000), shipped)
    designs, _ = designs_for(ls, shipped, AS_OF)
    for points in (300, 600):  # under and over the 512 points planned one by one
        vary = Vary("attempt.steps.0.input_tokens", ("attempt", "steps", 0, "input_tokens"), 500, 4000, points, False)
        first = sweep.run(designs, [vary], metric="cost_per_success", chunk=128)
        x = first["x"][0]
        values = sweep.rows(designs, [vary], first, list(range(len(designs))), chunk=128)
        # the same point evaluated alone, under the same decision, gives the same figures
        for k in (0, 127, 128, points - 1):
            alone = designs.metric("cost_per_success", {vary.path: np.asarray([x[k], x[k]])})[:, 0]
            assert np.array_equal(np.nan_to_num(values[:, k], nan=-1), np.nan_to_num(alone, nan=-1)), (points, k)


@settings(max_examples=150, deadline=None)
@given(ptoa=st.sampled_from([1.0, 1.2, 2.0, 2.5, 3.0, 4.7, 6.0, 10.0, 30.0]), busy=st.floats(0, 5000),
       gpr=st.sampled_from([1, 2, 4, 8]), gpi=st.sampled_from([1, 2, 8]), always_on=st.booleans(),
       floor=st.integers(0, 2), target=st.floats(0.3, 1.0), inc=st.sampled_from([1 / 3600, 1.0, 24.0, 730.0]),
       cold=st.sampled_from([0.0, 1 / 6]), shape=st.none() | st.lists(st.integers(0, 4), min_size=24, max_size=24))
def test_a_fleet_by_the_days_runs_equals_it_hour_by_hour(ptoa, busy, gpr, gpi, always_on, floor, target, inc, cold,
                                                          shape):
    import numpy as np

    if shape is not None and not any(shape):
        shape[0] = 1
    args = (np.array([[busy]]), np.array([[float(gpr)]]), np.array([[float(gpi)]]), np.array([[always_on]]),
            float(floor), target)
    hourly = G.day_shape(np.array([[ptoa]]), shape)
    hourly = hourly.reshape(1, 1, 24) if hourly.ndim == 1 else hourly
    by_hour = G.fleet(*args, hourly, np.array([[inc]]), cold)
    by_runs = G.fleet(*args, G.day_columns(np.array([[ptoa]]), shape), np.array([[inc]]), cold)
    for a, b in zip(by_hour, by_runs):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-9)
