"""Hand-worked checks of each formula in domain.md, and the edge cases it names."""

from __future__ import annotations

import numpy as np
import pytest

from aicost.engine import formulas as F


def test_call_tokens_split():
    # I = 3,000, C = 2,000, h = 0.8, minimum 1,024 -> cached 1,600, written 400, fresh 1,000
    fresh, cached, written = F.call_tokens(3000.0, 2000.0, 0.8, 1.0, 1024)
    assert (float(fresh), float(cached), float(written)) == pytest.approx((1000, 1600, 400))


def test_call_tokens_caching_off_and_below_minimum():
    assert tuple(map(float, F.call_tokens(3000.0, 2000.0, 0.8, 0.0, 1024))) == (3000, 0, 0)
    assert tuple(map(float, F.call_tokens(3000.0, 1000.0, 0.8, 1.0, 1024))) == (3000, 0, 0)


def test_call_cost_missing_rate_only_matters_when_used():
    rates = {"input": 1.25, "cached_input": np.nan, "cache_write": 1.25, "output": 10.0, "reasoning": 10.0}
    unused = F.call_cost(1000.0, 0.0, 0.0, 300.0, 0.0, rates)
    assert sum(float(v) for v in unused.values()) == pytest.approx(0.00425)  # 0.00125 + 0.003
    used = F.call_cost(1000.0, 10.0, 0.0, 300.0, 0.0, rates)
    assert np.isnan(float(used["cached_input"]))


@pytest.mark.parametrize("p,d,k,a,s,u,g", [
    # p = 0.8, d = 1, k = 3: q = 0.2, A = 1 + 0.2 + 0.04 = 1.24, S = 0.992, G = 0.008
    (0.8, 1.0, 3, 1.24, 0.992, 0.0, 0.008),
    # d = 0: no retries, A = 1, S = p, U = 1 - p
    (0.7, 0.0, 5, 1.0, 0.7, 0.3, 0.0),
    # p = 0.5, d = 0.5, k = 2: q = 0.25, A = 1.25, S = 0.625, U = 0.5*0.5*1.25 = 0.3125, G = 0.0625
    (0.5, 0.5, 2, 1.25, 0.625, 0.3125, 0.0625),
    # p = 0 and d = 1: q = 1, A = k, nothing succeeds, everything is given up
    (0.0, 1.0, 4, 4.0, 0.0, 0.0, 1.0),
    # p = 1: one attempt, certain success
    (1.0, 0.9, 3, 1.0, 1.0, 0.0, 0.0),
])
def test_retry_outcomes(p, d, k, a, s, u, g):
    got = [float(x) for x in F.retry_outcomes(p, d, k)]
    assert got == pytest.approx([a, s, u, g])
    assert sum(got[1:]) == pytest.approx(1.0)


def test_success_with_full_detection_is_one_minus_fail_to_the_k():
    a, s, u, g = F.retry_outcomes(np.array([0.3, 0.6, 0.9]), 1.0, 3)
    assert s == pytest.approx(1 - (1 - np.array([0.3, 0.6, 0.9])) ** 3)


def test_per_outcome_and_no_success():
    # ai 0.10, review 0.02, fallback 0.05, S = 0.8, G = 0.1
    cps, cprt = F.per_outcome(0.10, 0.02, 0.05, np.float64(0.8), np.float64(0.1))
    assert float(cps) == pytest.approx(0.15)       # (0.10 + 0.02) / 0.8
    assert float(cprt) == pytest.approx(0.17 / 0.9)
    cps, cprt = F.per_outcome(0.10, 0.0, 0.0, np.float64(0.0), np.float64(0.0))
    assert np.isnan(cps) and np.isnan(cprt)        # no division error, no infinity


def test_monthly_and_roi_by_hand():
    # 1,000 tasks x $0.50 + $200 fixed = $700/month; benefit 1,000 x 0.9 x $2 = $1,800; net $1,100
    # ROI over 12 months with $6,000 build = (13,200 - 6,000) / (6,000 + 8,400) = 0.5
    monthly, benefit, net, roi, payback = F.monthly_and_roi(1000.0, 1000 * 0.5, 200.0, np.float64(0.9), 2.0, None,
                                                            6000.0, 12.0)
    assert (float(monthly), float(benefit), float(net)) == pytest.approx((700, 1800, 1100))
    assert float(roi) == pytest.approx(0.5)
    assert float(payback) == pytest.approx(6000 / 1100)


def test_baseline_mode_and_never_paying_back():
    # people baseline $0.40/task x 1,000 = $400 < $700 monthly cost: net -$300, no payback
    monthly, benefit, net, roi, payback = F.monthly_and_roi(1000.0, 1000 * 0.5, 200.0, np.float64(0.9), None, 0.4,
                                                            6000.0, 12.0)
    assert float(benefit) == 400 and float(net) == -300
    assert np.isnan(payback)
    assert float(roi) == pytest.approx((12 * -300 - 6000) / (6000 + 12 * 700))


def test_formulas_broadcast_over_points():
    p = np.linspace(0.1, 0.9, 5).reshape(1, -1)
    a, s, u, g = F.retry_outcomes(p, np.array([[0.5], [1.0]]), 3)
    assert a.shape == (2, 5)
    assert np.allclose(s + u + g, 1.0)
