"""The validated-input cache cannot lie or run code (issue 16, item 1): keys from contents,
signed entries, a private folder, labels that do not depend on who filled it."""

from __future__ import annotations

import os
import pickle


from aicost.analyses.compare import run
from aicost.inputs import cache
from aicost.inputs.pricebook import PriceBook

TABLE = "\n".join(["version: 1", "provider: acme", "name: Acme", "source: t", "checked: 2026-11-01",
                   "models:", "  m1:", "    tiers:", "      standard: {input: 1, output: 2}", ""])


def price(d):
    return PriceBook.load([d], bundled=False).models[("acme", "m1")].spec.tiers["standard"][0].input


def test_an_edit_that_keeps_size_and_time_is_seen(cache_dir, tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    f = d / "acme.yaml"
    f.write_text(TABLE)
    st = f.stat()
    assert price(d) == 1
    f.write_text(TABLE.replace("input: 1", "input: 7"))  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # same modification time
    assert price(d) == 7


def test_an_edited_entry_is_a_miss(cache_dir):
    before = run(["worked-example"]).scenarios[0].options[0].metrics["monthly_cost"]
    for p in cache_dir.glob("*" + cache.SUFFIX):
        blob = bytearray(p.read_bytes())
        blob[-20] ^= 0xFF  # tamper with the stored data, keep the signature
        p.write_bytes(bytes(blob))
    assert run(["worked-example"]).scenarios[0].options[0].metrics["monthly_cost"] == before


def _boom(marker):
    """A pickle that would create ``marker`` if it were ever loaded."""
    class Boom:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    return Boom()


def test_a_planted_pickle_never_runs(cache_dir, tmp_path):
    run(["worked-example"])
    marker = tmp_path / "ran"
    for p in list(cache_dir.glob("*" + cache.SUFFIX)):
        p.write_bytes(b"\0" * 32 + pickle.dumps(("x", _boom(marker))))  # a forged entry: no valid signature
    (cache_dir / "scenario-planted.pickle").write_bytes(pickle.dumps(_boom(marker)))
    assert run(["worked-example"]).scenarios[0].best is not None
    assert not marker.exists()


def test_a_folder_others_can_write_is_made_private_and_the_key_is_ours(cache_dir):
    cache_dir.mkdir(mode=0o777)
    os.chmod(cache_dir, 0o777)
    run(["worked-example"])
    assert cache_dir.stat().st_mode & 0o077 == 0
    assert (cache_dir / cache.KEY_FILE).stat().st_mode & 0o077 == 0


def test_labels_do_not_depend_on_the_folder_that_filled_the_cache(cache_dir, tmp_path, monkeypatch):
    s = tmp_path / "work" / "s.yaml"
    s.parent.mkdir()
    s.write_text((__import__("aicost.base.paths", fromlist=["x"]).bundled_scenarios()["worked-example"]).read_text())
    monkeypatch.chdir(tmp_path)
    a = run(["work/s.yaml"]).scenarios[0].file
    monkeypatch.chdir(s.parent)
    b = run(["s.yaml"]).scenarios[0].file
    assert (a, b) == ("work/s.yaml", "s.yaml")


def _signed(cache_dir, body: bytes) -> bytes:
    import hashlib
    import hmac

    secret = (cache_dir / cache.KEY_FILE).read_bytes()
    return hmac.new(secret, body, hashlib.sha256).digest() + body


def test_even_a_correctly_signed_pickle_never_runs(cache_dir, tmp_path):
    """Entries are JSON data (no pickle): one who has the key still cannot make aicost run code."""
    run(["worked-example"])
    marker = tmp_path / "ran"
    for p in list(cache_dir.glob("*" + cache.SUFFIX)):
        p.write_bytes(_signed(cache_dir, pickle.dumps(["x", _boom(marker)])))
    assert run(["worked-example"]).scenarios[0].best is not None
    assert not marker.exists()


def test_a_signed_entry_naming_a_class_off_the_list_is_a_miss(cache_dir):
    run(["worked-example"])
    before = run(["worked-example"]).scenarios[0].options[0].metrics["monthly_cost"]
    for p in list(cache_dir.glob("*" + cache.SUFFIX)):
        p.write_bytes(_signed(cache_dir, b'["k", {"~": "subprocess.Popen", "#": 0, "v": {"~": "d", "#": 1, '
                                         b'"k": [], "v": []}}]'))
    assert run(["worked-example"]).scenarios[0].options[0].metrics["monthly_cost"] == before


def test_entries_are_data_and_are_used(cache_dir, monkeypatch):
    """The price book and a scenario come back from the cache whole, without reading the files."""
    from aicost.inputs import codec

    first = run(["worked-example"]).scenarios[0]
    entries = list(cache_dir.glob("*" + cache.SUFFIX))
    assert {p.name.split("-")[0] for p in entries} >= {"pricebook", "scenario"}
    for p in entries:
        codec.loads(p.read_bytes()[32:])  # plain JSON underneath the signature
    monkeypatch.setattr(PriceBook, "_read", classmethod(lambda cls, listing: (_ for _ in ()).throw(AssertionError)))
    again = run(["worked-example"]).scenarios[0]
    assert [o.metrics for o in again.options] == [o.metrics for o in first.options]


def test_the_codec_round_trips_what_the_cache_holds():
    from datetime import date
    from decimal import Decimal
    from types import SimpleNamespace

    from aicost.inputs import codec
    from aicost.inputs.yamlio import Document

    doc = Document("f.yaml", {"a": [1, 2.5, None, True]}, {("a",): 3, ("a", 0): 4})
    value = {"doc": doc, "again": doc, "ns": SimpleNamespace(x=Decimal("1.25"), d=date(2026, 11, 1), t=(1, "b"))}
    back = codec.loads(codec.dumps(value))
    assert back["doc"] is back["again"]  # one object, written once
    assert back["doc"].lines == doc.lines and back["doc"].data == doc.data
    assert back["ns"].x == Decimal("1.25") and back["ns"].d == date(2026, 11, 1) and back["ns"].t == (1, "b")
