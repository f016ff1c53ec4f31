"""YAML's yes/no/true/false are not numbers (issue 16, item 5): p_success: yes is a mistake, never 100%."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aicost.cli import app

runner = CliRunner()


@pytest.mark.parametrize("field,value", [("models.gpt-5-mini.p_success", "yes"), ("volume.tasks_per_month", "true"),
                                         ("people.review_share", "no"), ("value.build_cost", "false")])
def test_a_yes_no_value_in_a_number_field_is_an_input_error(field, value):
    r = runner.invoke(app, ["compare", "worked-example", "--set", f"{field}={value}"])
    assert r.exit_code == 2 and r.stdout == ""
    assert f"{field}: expected a number, got" in r.stderr and "(a yes/no value)" in r.stderr


def test_a_yes_no_value_in_a_price_table_is_an_input_error(tmp_path):
    (tmp_path / "p.yaml").write_text(
        "version: 1\nprovider: acme\nname: Acme\ncurrency: USD\nsource: s\nchecked: 2026-11-01\n"
        "models:\n  m1:\n    tiers:\n      standard: {input: yes, output: 1}\n")
    r = runner.invoke(app, ["pricing", "validate", str(tmp_path / "p.yaml")])
    assert r.exit_code == 2 and "expected a number, got true" in r.stderr and "p.yaml:10" in r.stderr
