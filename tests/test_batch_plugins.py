"""Plug-ins through entry points: the example writer in tests/plugin_example, used by the CLI.

The plug-in is "installed" into a temporary folder (its module plus a ``*.dist-info`` with the
entry points its pyproject.toml declares) put on PYTHONPATH: the shared virtualenv stays as it is.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from batch_support import install_plugin, load_report, run_cli, write_json_inputs

EXAMPLE = Path(__file__).resolve().parent / "plugin_example"


def example_site(tmp_path: Path) -> Path:
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE / "converter_plaintext", site / "converter_plaintext",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return install_plugin(site, project["name"], {}, project["entry-points"])


def test_formats_lists_the_plugin_writer(tmp_path: Path) -> None:
    done = run_cli("formats", pythonpath=[example_site(tmp_path)])
    assert done.returncode == 0, done.stderr
    (line,) = [line for line in done.stdout.splitlines() if line.strip().startswith("plaintext")]
    assert "plain text: title, authors" in line
    assert "(also: plain)" in line and line.endswith("[plug-in]")
    assert "plaintext" not in run_cli("formats").stdout


def test_batch_writes_through_the_plugin_writer(tmp_path: Path) -> None:
    site, src, out = example_site(tmp_path), tmp_path / "in", tmp_path / "out"
    write_json_inputs(src, ["a.json", "sub/b.json", "sub/c.json"])
    done = run_cli("convert", src, "-o", out, "--to", "json,plain", "--jobs", "2",
                   pythonpath=[site])
    assert done.returncode == 0, done.stderr
    text = (out / "sub" / "b.txt").read_text(encoding="utf-8")
    assert text.startswith("Article sub/b.json\n==================\nby Author 1\n\nPart 1\n")
    report = load_report(out / "report.json")
    assert {o["format"] for item in report["inputs"] for o in item["outputs"]} == {
        "json", "plaintext"}

    again = run_cli("convert", src, "-o", out, "--to", "json,plain", pythonpath=[site])
    assert again.returncode == 0
    assert load_report(out / "report.json")["summary"]["skipped"] == 3


def test_unknown_plugin_name_is_a_usage_error(tmp_path: Path) -> None:
    write_json_inputs(tmp_path / "in", ["a.json"])
    done = run_cli("convert", tmp_path / "in", "-o", tmp_path / "out", "--to", "plaintext")
    assert done.returncode == 2
    assert "unknown writer 'plaintext'" in done.stderr


def test_a_broken_plugin_is_skipped_with_a_warning(tmp_path: Path) -> None:
    site = install_plugin(tmp_path / "site", "broken", {"broken_plugin.py": "raise ImportError()"},
                          {"converter.writers": {"broken": "broken_plugin:Writer"}})
    done = run_cli("formats", pythonpath=[site])
    assert done.returncode == 0
    assert "plug-in writer broken (broken_plugin:Writer) cannot be loaded" in done.stderr
    assert "json" in done.stdout

