"""The command line as users and scripts rely on it: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converter.model import SCHEMA_VERSION

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *map(str, args)],
                          capture_output=True, text=True, env=ENV, cwd=cwd, timeout=300)


@pytest.fixture()
def inputs(tmp_path: Path, seed_plain: Path, seed_scraped: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "plain.txt").write_bytes(seed_plain.read_bytes())
    (folder / "sub" / "scraped.txt").write_bytes(seed_scraped.read_bytes())
    return folder


def test_convert_folder_mirrors_tree_with_default_writers(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("convert", inputs, "-o", out, "--quiet")
    assert result.returncode == 0, result.stderr
    for stem in ("plain", "sub/scraped"):
        document = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        assert document["schema_version"] == SCHEMA_VERSION
        assert (out / f"{stem}.md").read_text(encoding="utf-8").startswith("---\n")
    scraped = json.loads((out / "sub" / "scraped.json").read_text(encoding="utf-8"))
    assert scraped["title"].startswith("Global Insider: Envoy Exchange")


def test_bad_input_is_one_line_and_the_batch_goes_on(inputs: Path, tmp_path: Path) -> None:
    (inputs / "binary.txt").write_bytes(b"\x00\x01\x02garbage\xff")
    (inputs / "empty.txt").write_bytes(b"   \n")
    out = tmp_path / "out"
    result = run("convert", inputs, "-o", out, "--quiet")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(problems) == 2, result.stderr
    assert any("binary.txt" in line for line in problems)
    assert any("empty.txt" in line for line in problems)
    assert (out / "plain.json").exists() and (out / "sub" / "scraped.json").exists()


def test_unknown_writer_is_a_usage_error_listing_valid_ones(inputs: Path, tmp_path: Path) -> None:
    result = run("convert", inputs, "-o", tmp_path / "out", "--to", "nonsense")
    assert result.returncode == 2
    assert "unknown writer 'nonsense'" in result.stderr
    assert "jats" in result.stderr and "Traceback" not in result.stderr


def test_bad_option_is_exit_2() -> None:
    assert run("convert", "--no-such-option").returncode == 2


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    plain = run("parse", missing)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.strip().count("\n") == 0 and "missing.txt" in plain.stderr
    debug = run("--debug", "parse", missing)
    assert "Traceback" in debug.stderr


def test_parse_prints_canonical_json_with_overrides(seed_plain: Path) -> None:
    result = run("parse", seed_plain, "--title", "Envoys", "--meta", "date=2013-05",
                 "--meta", "subjects.topics=EU;Serbia", "--meta", "custom_field=kept")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["title"] == "Envoys"
    assert document["dates"]["published"] == "2013-05"
    assert document["subjects"]["topics"] == ["EU", "Serbia"]
    assert document["extra"]["custom_field"] == "kept"


def test_validate_reports_path_and_rule(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"schema_version": "1.0", "title": "T"}), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": "1.0", "title": "T", "body": [
        {"type": "speech", "blocks": []}]}), encoding="utf-8")
    result = run("validate", good, bad)
    assert result.returncode == 1
    assert f"{good}: valid" in result.stdout
    assert f"{bad}: body[0].speaker: 'speaker' is a required property" in result.stderr


def test_formats_and_schema_commands() -> None:
    formats = run("formats")
    assert formats.returncode == 0
    for name in ("text", "markdown", "jats", "json", "epub", "bag"):
        assert f"  {name} " in formats.stdout
    schema = run("schema")
    assert json.loads(schema.stdout)["$schema"].endswith("2020-12/schema")


def test_every_command_has_help_with_examples() -> None:
    for command in ("convert", "parse", "validate", "verify", "formats", "schema"):
        result = run(command, "--help")
        assert result.returncode == 0, command
        assert "Usage:" in result.stdout
    assert "Example" in run("convert", "--help").stdout


def test_existing_foreign_file_is_not_overwritten_without_force(inputs: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "plain.json"
    mine.write_text("my own notes", encoding="utf-8")
    result = run("convert", inputs / "plain.txt", "-o", out, "--quiet")
    assert result.returncode == 1
    assert "--force" in result.stderr
    assert mine.read_text(encoding="utf-8") == "my own notes"
    forced = run("convert", inputs / "plain.txt", "-o", out, "--quiet", "--force")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(mine.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_outputs_are_byte_identical_across_runs(inputs: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run("convert", inputs, "-o", tmp_path / name, "--quiet").returncode == 0
    for path in sorted((tmp_path / "a").rglob("*.json")) + sorted((tmp_path / "a").rglob("*.md")):
        if path.name == "report.json" or ".converter" in path.parts:
            continue
        twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
        assert path.read_bytes() == twin.read_bytes(), path.name


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("converter")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("converter ")
