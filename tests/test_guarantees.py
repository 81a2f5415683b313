"""What the converter promises about inputs, destinations, links, interrupts and limits
(docs/guarantees.md): one test per defect that hostile testing found, each reproduced first.

The Ctrl-C case is in test_batch_console.py, kill -9 and crashing workers in
test_batch_isolation.py; the ledger itself in test_batch_ledger.py.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from batch_support import by_relative, install_plugin, load_report, make_article, run_cli

from converter import parse
from converter.errors import InputError, UsageError
from converter.formats.data import loads_json, loads_yaml
from converter.model import canonical_json
from converter.options import ReadOptions, source_date_epoch
from converter.readers.pandoc import sniff_format

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_9e481615abfa1823.txt"

MISBEHAVING = '''
"""Test-only plug-ins: a reader that hangs, writers that stall or find the disk full."""
import errno
import time

from converter.model import Article, Paragraph, Text


class HangReader:
    name = "hang"
    version = "0"
    extensions = (".hang",)

    def sniff(self, data, file_name):
        return False

    def read(self, data, options):
        time.sleep(600)


class StallWriter:
    name = "stall"
    extension = ".stall"

    def write(self, article, options):
        time.sleep(600)


class FullWriter:
    name = "full"
    extension = ".full"

    def write(self, article, options):
        raise OSError(errno.ENOSPC, "No space left on device", "/out/x.full")
'''


@pytest.fixture(scope="module")
def plugins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_plugin(tmp_path_factory.mktemp("site"), "misbehaving", {
        "misbehaving.py": MISBEHAVING}, {
        "converter.readers": {"hang": "misbehaving:HangReader"},
        "converter.writers": {"stall": "misbehaving:StallWriter",
                              "full": "misbehaving:FullWriter"}})


def article_json(path: Path, title: str = "A title") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(make_article(1, title=title).to_json(), encoding="utf-8")
    return path


def lines(stderr: str) -> list[str]:
    """The problem lines (progress lines ``[1/2] ok  file`` left out)."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("[")]


# --------------------------------------------------------------------------- 1. interrupts
# test_batch_console.test_ctrl_c_stops_cleanly_and_the_rerun_finishes


# --------------------------------------------------------------------------- 2. inputs are sacred


def test_force_never_writes_over_the_input_itself(tmp_path: Path) -> None:
    source = article_json(tmp_path / "art.json")
    before = source.read_bytes()
    done = run_cli("convert", source, "-o", tmp_path, "--to", "json", "--force")
    assert done.returncode == 1
    assert f"{source}: refusing to write: it is the input {source}" in done.stderr
    assert source.read_bytes() == before


def test_the_report_never_replaces_an_input_or_the_catalog(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("A title\n\nSome text of the article.\n", encoding="utf-8")
    done = run_cli("convert", source, "-o", tmp_path / "o", "--report", source, "--force")
    assert done.returncode == 2
    assert "the report would replace the input" in done.stderr
    assert source.read_text(encoding="utf-8").startswith("A title")

    catalog = tmp_path / "catalog.csv"
    catalog.write_text("filename,dc.title\nin.txt,T\n", encoding="utf-8")
    done = run_cli("convert", source, "-o", tmp_path / "o", "--metadata", catalog,
                   "--report", catalog, "--force")
    assert done.returncode == 2
    assert catalog.read_text(encoding="utf-8") == "filename,dc.title\nin.txt,T\n"


def test_a_sidecar_is_never_a_destination(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    article_json(folder / "doc.json")
    sidecar = folder / "doc.meta.json"
    sidecar.write_text('{"title": "From the sidecar"}', encoding="utf-8")
    # an input named doc.meta.txt would write doc.meta.json: the sidecar of doc.json
    other = folder / "doc.meta.txt"
    other.write_text("Another\n\nText of another article.\n", encoding="utf-8")
    done = run_cli("convert", other, "-o", folder, "--to", "json", "--force")
    assert done.returncode == 1
    assert f"{sidecar}: refusing to write: it is named like a sidecar" in done.stderr
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"title": "From the sidecar"}


def test_a_folder_destination_holding_an_input_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    inner = folder / "x.bag" / "notes.txt"  # someone's folder named like our bag
    inner.parent.mkdir(parents=True)
    inner.write_text("Notes\n\nMy own notes.\n", encoding="utf-8")
    (folder / "x.txt").write_text("A title\n\nSome text.\n", encoding="utf-8")
    done = run_cli("convert", folder, "-o", folder, "--to", "bag", "--force")
    assert done.returncode == 1
    assert f"{folder / 'x.bag'}: refusing to write: it holds the input" in done.stderr
    assert inner.read_text(encoding="utf-8") == "Notes\n\nMy own notes.\n"


# --------------------------------------------------------------------------- 3. ownership


def test_an_output_written_for_another_input_is_not_replaced(tmp_path: Path) -> None:
    first = tmp_path / "sa" / "x.txt"
    second = tmp_path / "sb" / "x.txt"
    for path, word in ((first, "Alpha"), (second, "Beta")):
        path.parent.mkdir()
        path.write_text(f"{word} title\n\nThe {word} article text.\n", encoding="utf-8")
    out = tmp_path / "O"
    assert run_cli("convert", first, "-o", out, "--to", "json,bag").returncode == 0
    done = run_cli("convert", second, "-o", out, "--to", "json,bag")
    assert done.returncode == 1
    assert f"exists and was written for another input, {first}" in done.stderr
    original = out / "x.bag" / "data" / "original" / "x.txt"
    assert original.read_text(encoding="utf-8").startswith("Alpha")
    assert json.loads((out / "x.json").read_text(encoding="utf-8"))["title"] == "Alpha title"

    forced = run_cli("convert", second, "-o", out, "--to", "json,bag", "--force")
    assert forced.returncode == 0, forced.stderr
    assert original.read_text(encoding="utf-8").startswith("Beta")


def test_converting_a_folder_into_itself_twice(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(f"Title {name}\n\nText {name}.\n", encoding="utf-8")
    assert run_cli("convert", folder, "-o", folder, "--to", "json,markdown").returncode == 0
    again = run_cli("convert", folder, "-o", folder, "--to", "json,markdown")
    assert again.returncode == 0, again.stderr
    report = load_report(folder / "report.json")
    assert {i["relative"]: i["status"] for i in report["inputs"]} == {
        "a.txt": "skipped", "b.txt": "skipped"}
    assert report["summary"]["ignored"] == {"converter output": 4}


# --------------------------------------------------------------------------- 4. time and size


def test_an_alias_bomb_sidecar_is_refused_at_once(tmp_path: Path) -> None:
    source = tmp_path / "x.txt"
    source.write_text("A title\n\nSome text.\n", encoding="utf-8")
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        levels.append(f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [{','.join(['*' + prev] * 9)}]")
    (tmp_path / "x.meta.yaml").write_text("\n".join(levels) + "\n", encoding="utf-8")
    done = run_cli("convert", source, "-o", tmp_path / "o", "--jobs", "1", timeout=60)
    assert done.returncode == 1
    assert "anchors and aliases are not allowed" in done.stderr
    with pytest.raises(ValueError, match="over 1048576 bytes"):
        loads_yaml("a: " + "x" * (1 << 20))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_time_limit_holds_for_a_single_input_and_one_job(
        tmp_path: Path, plugins: Path, jobs: str) -> None:
    source = tmp_path / "x.hang"
    source.write_text("anything", encoding="utf-8")
    done = run_cli("convert", source, "-o", tmp_path / "o", "--to", "json", "--timeout", "2",
                   "--jobs", jobs, pythonpath=[plugins], timeout=120)
    assert done.returncode == 1
    assert lines(done.stderr) == [f"{source}: timed out after 2 s; the worker was stopped"]


def test_an_input_that_times_out_keeps_no_outputs(tmp_path: Path, plugins: Path) -> None:
    source = article_json(tmp_path / "in" / "x.json")
    out = tmp_path / "o"
    done = run_cli("convert", source, "-o", out, "--to", "json,markdown,stall", "--timeout", "3",
                   pythonpath=[plugins], timeout=120)
    assert done.returncode == 1
    assert "timed out after 3 s" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == [".converter", "report.json"]
    again = run_cli("convert", source, "-o", out, "--to", "json,markdown",
                    pythonpath=[plugins])
    assert again.returncode == 0, again.stderr


# --------------------------------------------------------------------------- 5. links


def test_links_out_of_the_input_folder_are_skipped_with_a_line(tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text("Secret\n\nNot to be read.\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text("Fine\n\nText.\n", encoding="utf-8")
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "inner.txt").symlink_to(folder / "ok.txt")  # stays inside: taken
    (folder / "elsewhere").symlink_to(outside.parent, target_is_directory=True)
    out = tmp_path / "o"

    done = run_cli("convert", folder, "-o", out, "--to", "json")
    assert done.returncode == 0, done.stderr
    assert f"{folder / 'passwd.txt'}: skipped: a link to {outside}" in done.stderr
    assert not (out / "passwd.json").exists()
    assert (out / "inner.json").is_file() and (out / "ok.json").is_file()
    ignored = {Path(i["path"]).name: i["reason"] for i in load_report(out / "report.json")[
        "ignored"]}
    assert ignored == {"passwd.txt": "link out of the input folder",
                       "elsewhere": "link out of the input folder"}

    followed = run_cli("convert", folder, "-o", tmp_path / "o2", "--to", "json",
                       "--follow-links")
    assert followed.returncode == 0, followed.stderr
    assert (tmp_path / "o2" / "passwd.json").is_file()
    assert (tmp_path / "o2" / "elsewhere" / "secret.json").is_file()


# --------------------------------------------------------------------------- 6. nesting

DEEP = (b"<article><front><article-meta><title-group><article-title>T</article-title>"
        b"</title-group></article-meta></front><body><p>" + b"<italic>" * 100_000 + b"x"
        + b"</italic>" * 100_000 + b"</p></body></article>")


def test_deep_nesting_fails_the_same_way_whatever_the_job_count(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.xml").write_bytes(DEEP)
    (folder / "ok.json").write_text(make_article(1).to_json(), encoding="utf-8")
    messages = set()
    for jobs in ("1", "2"):
        done = run_cli("convert", folder, "-o", tmp_path / f"o{jobs}", "--to", "json",
                       "--jobs", jobs)
        assert done.returncode == 1
        items = by_relative(load_report(tmp_path / f"o{jobs}" / "report.json"))
        assert items["ok.json"]["status"] == "ok"
        messages.add(items["deep.xml"]["errors"][0])
    with pytest.raises(InputError) as caught:  # the library, in this process
        parse(DEEP)
    assert len(messages) == 1 and "nest too deeply" in messages.pop()
    assert "nest too deeply" in str(caught.value)
    hundred = DEEP.replace(b"<italic>" * 100_000, b"<italic>" * 100).replace(
        b"</italic>" * 100_000, b"</italic>" * 100)
    with pytest.raises(InputError, match="more than 128 levels"):
        parse(hundred)


# --------------------------------------------------------------------------- 7. special files


def test_a_fifo_or_device_named_on_the_command_line_fails_without_a_hang(
        tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    done = run_cli("convert", fifo, "/dev/zero", "-o", tmp_path / "o", timeout=60)
    assert done.returncode == 1
    assert sorted(lines(done.stderr)) == [
        "/dev/zero: not a regular file (a character device); it was not opened",
        f"{fifo}: not a regular file (a FIFO); it was not opened"]
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "inner.txt")
    inside = run_cli("convert", folder, "-o", tmp_path / "o2", timeout=60)
    assert inside.returncode == 0
    assert load_report(tmp_path / "o2" / "report.json")["ignored"] == [
        {"path": str(folder / "inner.txt"), "reason": "not a regular file"}]


# --------------------------------------------------------------------------- 8. zip bombs


def zip_with_mimetype(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/epub+zip" + b" " * size)
        archive.writestr("META-INF/container.xml", b"<container/>")
    return buffer.getvalue()


def test_sniffing_reads_a_few_bytes_of_a_huge_mimetype_member() -> None:
    data = zip_with_mimetype(64 << 20)
    assert len(data) < 1 << 20
    tracemalloc.start()
    try:
        assert sniff_format(data) == "epub"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20


def test_a_container_that_inflates_past_the_limit_is_refused() -> None:
    with pytest.raises(InputError, match=r"inflates to .* over the 1048576-byte limit"):
        parse(zip_with_mimetype(2 << 20), ReadOptions(max_expanded_bytes=1 << 20))


# --------------------------------------------------------------------------- 9. not JSON


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e99999"])
def test_json_numbers_that_json_does_not_have_are_refused(tmp_path: Path, number: str) -> None:
    document = json.loads(make_article(1).to_json())
    document["extra"] = {"score": 0}
    text = json.dumps(document).replace('"score": 0', f'"score": {number}')
    with pytest.raises(InputError, match=r"invalid JSON: .*(not a JSON number|out of range)"):
        parse(text.encode("utf-8"))
    with pytest.raises(ValueError):
        loads_json(f'{{"a": {number}}}')
    with pytest.raises(ValueError):
        canonical_json({"a": float(number)})
    with pytest.raises(ValueError, match="not a finite number"):
        loads_yaml("a: .nan")


# --------------------------------------------------------------------------- 10. encodings


def test_a_page_that_breaks_its_declared_utf8_gets_a_warning() -> None:
    page = (b'<!doctype html><html><head><meta charset="utf-8"><title>T</title></head><body>'
            b"<article><h1>T</h1><p>caf\xe9 au lait, one two three four five six seven eight"
            b" nine ten eleven twelve.</p></article></body></html>")
    article = parse(page, ReadOptions(file_name="page.html"))
    assert article.provenance is not None
    warnings = [d.message for d in article.provenance.diagnostics if d.code == "encoding"]
    where = page.index(b"\xe9")
    assert warnings == ["declares utf-8 but is not valid utf-8 (invalid continuation byte at "
                        f"byte {where}); decoded as windows-1252"]
    assert "café" in article.to_json()


# --------------------------------------------------------------------------- 11. library logs


def test_libraries_never_print_lines_without_a_file_name(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><body></body></html>", encoding="utf-8")
    quiet = run_cli("convert", page, "-o", tmp_path / "o")
    assert quiet.returncode == 0, quiet.stderr
    assert all(line.startswith(str(page)) or line.startswith("[1/1]")
               for line in lines(quiet.stderr)), quiet.stderr
    verbose = run_cli("convert", page, "-o", tmp_path / "o2", "-v")
    assert f"{page}: info: trafilatura.core: discarding data: None [library-log]" in (
        verbose.stderr)


# --------------------------------------------------------------------------- 12. odd names


def test_a_newline_in_a_file_name_keeps_messages_on_one_line(tmp_path: Path) -> None:
    source = tmp_path / "bad\nname.json"
    source.write_text("{", encoding="utf-8")
    done = run_cli("convert", source, "-o", tmp_path / "o", "--quiet")
    assert done.returncode == 1
    escaped = str(source).replace("\n", "%0A")
    assert lines(done.stderr) == [f"{escaped}: invalid JSON: Expecting property name enclosed "
                                  "in double quotes at line 1 column 2"]


# --------------------------------------------------------------------------- 13. the rest


def test_a_missing_input_among_several_fails_alone(tmp_path: Path) -> None:
    source = article_json(tmp_path / "a.json")
    done = run_cli("convert", source, tmp_path / "nowhere.txt", "-o", tmp_path / "o")
    assert done.returncode == 1
    assert lines(done.stderr)[0] == f"{tmp_path / 'nowhere.txt'}: no such file or folder"
    assert (tmp_path / "o" / "a.json").is_file()
    assert load_report(tmp_path / "o" / "report.json")["summary"]["failed"] == 1


def test_operating_system_errors_are_said_in_words(tmp_path: Path, plugins: Path) -> None:
    source = article_json(tmp_path / "x.json")
    full = run_cli("convert", source, "-o", tmp_path / "o", "--to", "full",
                   pythonpath=[plugins])
    assert full.returncode == 1
    assert lines(full.stderr) == [f"{source}: /out/x.full: no space left on device"]

    long_stem = "n" * 251  # the input's name fits in 255 bytes, its JSON output's does not
    long_input = tmp_path / "in" / f"{long_stem}.txt"
    long_input.parent.mkdir()
    long_input.write_text("A title\n\nSome text.\n", encoding="utf-8")
    too_long = run_cli("convert", long_input, "-o", tmp_path / "o2", "--to", "json")
    assert too_long.returncode == 1
    assert lines(too_long.stderr) == [f"{long_input}: {tmp_path / 'o2' / long_stem}.json: file "
                                      "name too long"]


def test_a_name_just_under_the_limit_converts(tmp_path: Path) -> None:
    stem = "é" * 123  # 246 bytes; its output name is 251, its temp name would be longer
    source = article_json(tmp_path / "in" / f"{stem}.json")
    done = run_cli("convert", source, "-o", tmp_path / "o", "--to", "json")
    assert done.returncode == 0, done.stderr


def test_an_output_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    source = article_json(tmp_path / "a.json")
    target = tmp_path / "existing"
    target.write_text("mine", encoding="utf-8")
    done = run_cli("convert", source, "-o", target)
    assert done.returncode == 2
    assert lines(done.stderr) == [f"converter: error: {target}: the output is a file, not a "
                                  "folder"]
    assert target.read_text(encoding="utf-8") == "mine"


def test_source_date_epoch_out_of_range_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    with pytest.raises(UsageError, match="out of range"):
        source_date_epoch()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(UsageError, match="must be an integer"):
        source_date_epoch()


def test_the_seed_converts_with_every_writer_in_one_worker(tmp_path: Path) -> None:
    """A plain single-file run goes through a worker process too (the time limit holds)."""
    done = subprocess.run([sys.executable, "-m", "converter", "convert", str(SEED), "-o",
                           str(tmp_path), "--to", "json,markdown,jats,epub,bag", "--quiet"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.glob("000_*"))) == 5
