"""The library API: complete and typed, thread-safe, silent, and the documented example runs."""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from batch_support import ROOT, write_json_inputs

import converter
from converter import (
    Article,
    ReadOptions,
    SchemaError,
    WriteOptions,
    convert,
    parse,
    render,
    validate,
)

EXAMPLE = ROOT / "docs" / "examples" / "preservation.py"
WRITERS = ("json", "markdown", "jats", "epub")
FIXED = WriteOptions(build_time=datetime(2013, 4, 5, tzinfo=UTC))


def test_every_public_name_resolves_and_the_package_is_typed() -> None:
    for name in converter.__all__:
        assert getattr(converter, name) is not None, name
    assert (Path(converter.__file__).parent / "py.typed").is_file()
    for function in (converter.parse, converter.convert, converter.render, converter.validate,
                     converter.verify, converter.run_batch):
        signature = inspect.signature(function)
        assert signature.return_annotation is not inspect.Signature.empty, function
        for parameter in signature.parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, (function, parameter)
    with pytest.raises(AttributeError):
        _ = converter.no_such_name


def test_parse_validate_convert(tmp_path: Path, seed_scraped: Path) -> None:
    article = parse(seed_scraped)
    assert isinstance(article, Article) and article.title
    validate(article)
    validate(article.to_dict())
    with pytest.raises(SchemaError):
        validate({"schema_version": "1.0"})
    same = parse(seed_scraped.read_bytes(), ReadOptions(file_name=seed_scraped.name))
    assert same.to_json() == article.to_json()

    result = convert(seed_scraped, tmp_path, ("json",), write_options=FIXED)
    (record,) = result.outputs
    assert record.path == tmp_path / f"{seed_scraped.stem}.json"
    assert record.sha256 == hashlib.sha256(record.path.read_bytes()).hexdigest()
    assert record.path.read_bytes() == render(article, "json")
    with pytest.raises(converter.OutputExistsError):
        convert(seed_scraped, tmp_path, ("json",))


def test_convert_is_safe_from_threads(tmp_path: Path, seed_plain: Path, seed_scraped: Path
                                      ) -> None:
    """Many conversions at once in one process give exactly the sequential outputs."""
    sources = [tmp_path / "in" / f"{n:02}-{seed.name}"
               for n in range(8) for seed in (seed_plain, seed_scraped)]
    for source in sources:
        source.parent.mkdir(exist_ok=True)
        seed = seed_plain if seed_plain.name in source.name else seed_scraped
        source.write_bytes(seed.read_bytes())

    def run(out: Path, source: Path) -> dict[str, str | None]:
        result = convert(source, out, WRITERS, write_options=FIXED)
        return {o.format: o.sha256 for o in result.outputs}

    sequential = [run(tmp_path / "seq", s) for s in sources]
    cwd = os.getcwd()
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda s: run(tmp_path / "thr", s), sources))
        parsed = list(pool.map(lambda s: parse(s).to_json(), sources))
    assert threaded == sequential
    assert parsed == [parse(s).to_json() for s in sources]
    assert os.getcwd() == cwd
    assert sorted(p.name for p in (tmp_path / "seq").iterdir()) == sorted(
        p.name for p in (tmp_path / "thr").iterdir())


def test_the_library_prints_nothing(tmp_path: Path) -> None:
    """Failures and warnings come back in the result; nothing reaches stdout or stderr."""
    write_json_inputs(tmp_path / "in", ["a.json", "b.json"])
    (tmp_path / "in" / "bad.json").write_text("{", encoding="utf-8")
    (tmp_path / "orphan.meta.json").write_text("{}", encoding="utf-8")
    script = (
        "import sys\n"
        "from converter import BatchOptions, run_batch\n"
        "if __name__ == '__main__':\n"
        "    result = run_batch(sys.argv[1:3], sys.argv[3], BatchOptions(formats=('json',),"
        " jobs=2))\n"
        "    assert result.exit_code == 1 and result.count('ok') == 2, result.summary()\n"
        "    assert len(result.warnings) == 1, result.warnings\n")
    (tmp_path / "script.py").write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(tmp_path / "script.py"), str(tmp_path / "in"),
                           str(tmp_path / "orphan.meta.json"), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


def load_example() -> Any:
    spec = importlib.util.spec_from_file_location("preservation_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_example_is_the_file_that_runs() -> None:
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.DOTALL)
    assert EXAMPLE.read_text(encoding="utf-8") in blocks


def test_the_preservation_example_runs(tmp_path: Path, seed_scraped: Path) -> None:
    summary = load_example().preserve(seed_scraped, tmp_path / "out")
    assert summary["title"].startswith("Global Insider")
    assert set(summary["outputs"]) >= {"json", "markdown", "jats", "epub", "bag"}
    assert summary["payload_files"] >= 5  # the original and four renditions at least
    assert converter.verify(summary["bag"]).valid
    rights = parse((tmp_path / "out" / f"{seed_scraped.stem}.json").read_bytes())
    assert rights.rights is not None and rights.rights.statement is not None
    assert "archived with permission" in rights.rights.statement
