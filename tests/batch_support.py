"""Helpers for the batch, plug-in and API tests: input trees, plug-ins on a path, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from converter.model import (
    Article,
    Block,
    BulletList,
    Contributor,
    Emphasis,
    Heading,
    Paragraph,
    Speech,
    Text,
)

ROOT = Path(__file__).resolve().parent.parent
BATCH_DATA = Path(__file__).resolve().parent / "data" / "batch"


def make_article(n: int, title: str | None = None, paragraphs: int = 3) -> Article:
    """A small article, different for each ``n``."""
    body: list[Block] = [Heading(1, [Text(f"Part {n}")])]
    for p in range(paragraphs):
        body.append(Paragraph([Text(f"Paragraph {p} of article {n}: "),
                               Emphasis([Text("ünïcode & <markup>")]), Text(" end.")]))
    body.append(BulletList([[Paragraph([Text("one")])], [Paragraph([Text("two")])]]))
    body.append(Speech("Q", [Paragraph([Text(f"Question {n}?")])]))
    return Article(title=title or f"Article {n}", language="en",
                   contributors=[Contributor(f"Author {n}")], dates={"published": "2013-04-05"},
                   body=body)


def write_json_inputs(root: Path, relatives: Sequence[str]) -> list[Path]:
    """Canonical JSON inputs at ``root/<relative>``, one distinct article each."""
    paths = []
    for n, relative in enumerate(relatives):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make_article(n, title=f"Article {relative}").to_json(), encoding="utf-8")
        paths.append(path)
    return paths


def install_plugin(site: Path, dist: str, modules: Mapping[str, str],
                   entry_points: Mapping[str, Mapping[str, str]]) -> Path:
    """Make ``site`` hold modules plus a ``*.dist-info`` declaring entry points.

    Nothing is installed into the shared virtualenv: putting ``site`` on PYTHONPATH is enough for
    ``importlib.metadata`` to find the plug-in.
    """
    site.mkdir(parents=True, exist_ok=True)
    for name, source in modules.items():
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n",
                                   encoding="utf-8")
    lines = []
    for group, points in entry_points.items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {target}" for name, target in points.items())
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site


def cli_env(pythonpath: Sequence[Path] = (), **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    env.update(extra)
    return env


def run_cli(*args: str | Path, pythonpath: Sequence[Path] = (), timeout: float = 120,
            **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m converter ARGS`` in a subprocess (stdin closed, output captured)."""
    return subprocess.run([sys.executable, "-m", "converter", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env=cli_env(pythonpath, **env), stdin=subprocess.DEVNULL, check=False)


def load_report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def by_relative(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["relative"]: item for item in report["inputs"]}
