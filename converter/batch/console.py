"""The terminal side of a batch run: the reporting layer the CLI hands to ``run_batch``.

On a terminal: a rich progress bar (done, failed, rate, ETA) on stderr, with problem lines printed
above it. Elsewhere (a pipe, a log file): one plain line per finished input. With ``quiet``: only
the lines of failed inputs. A summary table goes to stdout at the end (unless ``quiet``).
rich is imported only when a bar or a table is drawn.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from ..errors import one_line
from .report import BatchResult, InputResult


class ConsoleReporter:
    """Prints progress and problems of a batch; the library's own reporter only logs."""

    def __init__(self, quiet: bool = False, stream: IO[str] | None = None,
                 out: IO[str] | None = None, terminal: bool | None = None) -> None:
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.out = out or sys.stdout
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.total = self.done = self.failed = 0
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        self.total = total
        if self.quiet or not self.terminal or total == 0:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("converting"), BarColumn(), MofNCompleteColumn(),
            TextColumn("failed {task.fields[failed]}"),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
            console=Console(file=self.stream), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("convert", total=total, failed=0, rate="")

    def problem(self, line: str, fatal: bool) -> None:
        if self.quiet and not fatal:
            return
        line = one_line(line)  # a file name with a newline must not split the line
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            self.stream.write(line + "\n")
            self.stream.flush()

    def advance(self, result: InputResult) -> None:
        self.done += 1
        self.failed += result.status == "failed"
        if self._progress is not None:
            task = self._progress.tasks[0]
            rate = f"{task.speed:.1f}/s" if task.speed else ""
            self._progress.update(self._task, advance=1, failed=self.failed, rate=rate)
        elif not self.quiet:
            width = len(str(self.total))
            self.stream.write(f"[{self.done:>{width}}/{self.total}] {result.status:<7} "
                              f"{one_line(result.input)}\n")
            self.stream.flush()

    def finish(self, result: BatchResult) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self.quiet:
            return
        from rich.console import Console
        from rich.table import Table

        summary = result.summary()
        table = Table(title=f"converted into {result.output}", show_header=True)
        for column in ("inputs", "ok", "skipped", "failed", "ignored", "outputs", "seconds"):
            table.add_column(column, justify="right")
        table.add_row(str(summary["inputs"]), str(summary["ok"]), str(summary["skipped"]),
                      str(summary["failed"]), str(sum(summary["ignored"].values())),
                      str(summary["outputs"] + sum(len(r.outputs) for r in (
                          result.collection, result.transfer) if r)),
                      f"{result.seconds:.2f}")
        console = Console(file=self.out, highlight=False)
        console.print(table)
        console.print(f"report: {result.report_path}", markup=False, soft_wrap=True)
        if result.transfer and result.transfer.outputs:
            console.print(f"transfer: {result.output / result.transfer.outputs[0].path}",
                          markup=False, soft_wrap=True)
        for group in result.groups:
            how = "converted as one article" if group.packaged else \
                "one article? --group-renditions packs them as one"
            console.print(f"group ({group.similarity:.2f}): {', '.join(group.inputs)}: {how}",
                          markup=False, soft_wrap=True)
