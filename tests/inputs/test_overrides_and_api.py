"""--set in all its forms, and the Python API."""

from __future__ import annotations

import pytest

import aicost
from aicost.inputs.overrides import Override, resolve_path
from aicost.inputs.scenario import load


@pytest.mark.parametrize("expr,field,expected", [
    ("volume.tasks_per_month=*3", ("volume", "tasks_per_month"), 360000),
    ("volume.tasks_per_month=+10%", ("volume", "tasks_per_month"), 132000),
    ("volume.tasks_per_month=-25%", ("volume", "tasks_per_month"), 90000),
    ("volume.tasks_per_month=+=500", ("volume", "tasks_per_month"), 120500),
    ("volume.tasks_per_month-=500", ("volume", "tasks_per_month"), 119500),
    ("volume.tasks_per_month=/4", ("volume", "tasks_per_month"), 30000),
    ("volume.tasks_per_month=7", ("volume", "tasks_per_month"), 7),
    ("models.gpt-5.4-mini.p_success=0.5", ("models", "gpt-5.4-mini", "p_success"), 0.5),
    ("models[gpt-5.4-mini].p_success=0.25", ("models", "gpt-5.4-mini", "p_success"), 0.25),
    ("attempt.steps.answer.output_tokens=*2", ("attempt", "steps", 1, "output_tokens"), 700),
    ("attempt.steps[0].calls=2", ("attempt", "steps", 0, "calls"), 2),
    ("quality.attempts_allowed=*2", ("quality", "attempts_allowed"), 4),
])
def test_set_forms(book, expr, field, expected):
    ls = load("support-assistant", book, [expr])
    value = ls.values()
    for part in field:
        value = value[part]
    assert value == pytest.approx(expected)


def test_resolve_path_prefers_existing_dotted_keys():
    data = {"models": {"gpt-5": {"p": 1}, "gpt-5.4": {"p": 2}}}
    assert resolve_path(data, "models.gpt-5.4.p") == ("models", "gpt-5.4", "p")
    assert resolve_path(data, "models.gpt-5.p") == ("models", "gpt-5", "p")


def test_parse_operator_forms():
    assert Override.parse("a.b+=3").value == "+=3"
    assert Override.parse("a.b=*3").value == "*3"


def test_api_returns_a_dataframe():
    df = aicost.compare("worked-example")
    assert list(df["option"]) == ["openai/gpt-5-mini:standard:cached"]
    assert df["cost_per_success"].iloc[0] == pytest.approx(0.0512375)
    assert df.attrs == {"version": "1", "kind": "compare", "currency": "USD"}
    df = aicost.compare(["support-assistant", "worked-example"], sets=["volume.tasks_per_month=*2"], top=3)
    assert set(df["scenario"]) == {"Support assistant", "Worked example"} and len(df) == 4


def test_api_errors_are_input_errors():
    with pytest.raises(aicost.base.errors.InputError):
        aicost.compare("no-such-scenario")


def test_a_relative_change_of_an_infinite_value_is_an_input_error_not_a_crash(book):
    from aicost.base.errors import InputError

    with pytest.raises(InputError) as e:
        load("support-assistant", book, ["attempt.steps[0].calls=.inf", "attempt.steps[0].calls=*0"])
    assert "attempt.steps[0].calls is Infinity, so '*0' cannot change it" in str(e.value.problems)
