"""The ``converter`` command line (typer): parses arguments, calls the library, prints.

Exit codes: 0 all good; 1 some input failed (the others were still converted) or is invalid;
2 usage error. One line per problem (``file: place: reason``); tracebacks only with ``--debug``.
Heavy libraries are imported inside the commands so ``converter --help`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ._version import __version__
from .errors import ConverterError, UsageError, describe_os_error, one_line

app = typer.Typer(
    name="converter",
    help="Convert articles (text, Markdown, JATS, docx, odt, HTML, ...) into one canonical model "
    "and write JSON, Markdown, JATS, EPUB 3, BagIt packages and OCFL objects.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    debug = False


def _err(message: str) -> None:
    typer.echo(one_line(message), err=True)


def _fail(exc: BaseException) -> typer.Exit:
    """Turn an exception into the one-line message and the exit code."""
    if State.debug:
        raise exc
    if isinstance(exc, UsageError):
        _err(f"converter: error: {exc}")
        return typer.Exit(2)
    if isinstance(exc, ConverterError):
        _err(str(exc))
    elif isinstance(exc, OSError):
        _err(f"converter: {describe_os_error(exc)}")
    else:
        _err(f"converter: {type(exc).__name__}: {exc}")
    return typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"converter {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Convert articles into a canonical model and archival outputs."""
    State.debug = debug


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def _read_options(from_format: str | None, title: str | None, meta: list[str] | None,
                  boilerplate: list[str] | None = None, file_name: str | None = None,
                  password: str | None = None) -> Any:
    from .options import ReadOptions
    from .pipeline import parse_meta_overrides

    overrides = dict(parse_meta_overrides(meta or []))
    if title:
        overrides["title"] = title
    return ReadOptions(file_name=file_name, format=from_format, overrides=overrides,
                       boilerplate_headings=tuple(boilerplate or ()), password=password)


@app.command()
def convert(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).",
                                                 show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder.")] = Path("out"),
    to: Annotated[list[str] | None, typer.Option(
        "--to", "-t", help="Writers, comma-separated: json, markdown, jats, epub, bag, or any "
        "pandoc format (docx, odt, html, ...); transfer: one Archivematica transfer of the batch "
        "(OUTPUT/transfer/NAME). Default: json,markdown.")] = None,
    from_format: Annotated[str | None, typer.Option(
        "--from", "-f", help="Reader to use instead of detection.")] = None,
    title: Annotated[str | None, typer.Option(help="Override the title.")] = None,
    meta: Annotated[list[str] | None, typer.Option(
        help="Override metadata: key=value (repeatable), e.g. --meta date=2013-04 "
        "--meta subjects.topics='EU;Serbia'.")] = None,
    force: Annotated[bool, typer.Option(help="Replace existing outputs; redo finished inputs."
                                        )] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes "
                                             "(default: the CPU count).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Run on a Dask cluster: the scheduler's address (tcp://host:8786), its scheduler "
        "file, or 'local' for a LocalCluster of --jobs processes. Inputs and outputs must be "
        "on a file system every worker sees (pip install article-converter[dask]).")] = None,
    fail_fast: Annotated[bool, typer.Option(help="Stop at the first failure.")] = False,
    fail_on_warnings: Annotated[bool, typer.Option(
        help="Count an input with warnings as failed (exit 1).")] = False,
    report: Annotated[Path | None, typer.Option(help="Where to write the JSON report "
                                                "(default: OUTPUT/report.json).")] = None,
    metadata: Annotated[Path | None, typer.Option(
        help="Catalog CSV (Archivematica metadata.csv style, a 'filename' column).")] = None,
    timeout: Annotated[float, typer.Option(
        help="Seconds one input may take (each input runs in a worker process; 0: no limit)."
    )] = 300.0,
    follow_links: Annotated[bool, typer.Option(
        help="Follow symbolic links that lead out of an input folder (default: skip them).")
    ] = False,
    boilerplate: Annotated[list[str] | None, typer.Option(
        help="Extra section heading that starts site boilerplate (repeatable).")] = None,
    password: Annotated[str | None, typer.Option(
        help="Password of encrypted PDF inputs.")] = None,
    collection: Annotated[str | None, typer.Option(
        help="With --to epub: one EPUB with every article, titled this.")] = None,
    transfer_name: Annotated[str | None, typer.Option(
        help="With --to transfer: the transfer's folder name (default: OUTPUT's name).")] = None,
    transfer_renditions: Annotated[bool, typer.Option(
        help="With --to transfer: put the renditions into the transfer too.")] = False,
    group_renditions: Annotated[bool, typer.Option(
        help="Inputs whose texts are one article (a text and its scraped web page) become one "
        "package with every original and the metadata merged field by field; without it the "
        "groups are only listed in report.json.")] = False,
    bag_format: Annotated[str, typer.Option(help="Bag serialization: dir, tar, tgz or zip."
                                            )] = "dir",
    checksums: Annotated[str, typer.Option(help="Bag checksum algorithms, comma-separated."
                                           )] = "sha512,sha256",
    bag_renditions: Annotated[str, typer.Option(
        help="Writers whose outputs go into each bag.")] = "json,markdown,jats,epub",
    source_organization: Annotated[str | None, typer.Option(
        help="bag-info Source-Organization.")] = None,
    profile: Annotated[str | None, typer.Option(help="Bag profile: 'aptrust'.")] = None,
    bagging_date: Annotated[str | None, typer.Option(
        help="bag-info Bagging-Date (YYYY-MM-DD); default from SOURCE_DATE_EPOCH or today."
    )] = None,
    ocfl_root: Annotated[Path | None, typer.Option(
        help="With --to ocfl: the OCFL storage root (created when missing; outside OUTPUT).")
    ] = None,
    ocfl_user: Annotated[str, typer.Option(help="OCFL version user name.")] = "article-converter",
    ocfl_address: Annotated[str | None, typer.Option(
        help="OCFL version user address: a mailto: or personal identifier URI.")] = None,
    ocfl_message: Annotated[str | None, typer.Option(
        help="OCFL version message (default: what was converted, by which converter).")
    ] = None,
    jats_dtd: Annotated[Path | None, typer.Option(
        envvar="CONVERTER_JATS_DTD", help="Folder of the JATS DTDs (catalog.xml): every JATS "
        "rendition is validated against the DTD.")] = None,
    check: Annotated[bool, typer.Option(
        help="Check every rendition with its validator (EPUBCheck on EPUBs, one JVM for the "
        "batch); a rendition that fails fails its input. Also read the Markdown and EPUB "
        "renditions back through pandoc (JSON and JATS are always read back).")] = False,
    keep_invalid: Annotated[bool, typer.Option(
        help="Keep renditions that fail a check (the input still fails).")] = False,
    fidelity_threshold: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Share of the body's words a rendition must keep when read "
        "back; below it is a warning.")] = 1.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every diagnostic."
                                          )] = False,
) -> None:
    """Convert files or whole folders into OUTPUT/<relative path>/<stem>.<ext>.

    Examples:

      converter convert samples/ -o out --to json,markdown,jats,epub,bag

      converter convert article.txt -o out --title "A title" --meta date=2013-04-05

      converter convert articles/ -o out --to epub --collection "Interviews 2013"

      converter convert articles/ -o out --to ocfl --ocfl-root archive/ocfl

      converter convert articles/ -o out --to json,transfer --transfer-name interviews-2013

      converter convert scraped/ clean/ -o out --to bag --group-renditions
    """
    try:
        from .batch import BatchOptions, run_batch
        from .options import BagOptions, EpubOptions, OcflOptions, WriteOptions

        formats = _split(to) or ["json", "markdown"]
        write_options = WriteOptions(
            jats_dtd=jats_dtd, check=check, keep_invalid=keep_invalid,
            fidelity_threshold=fidelity_threshold,
            bag=BagOptions(serialization=bag_format, checksums=tuple(_split([checksums])),
                           renditions=tuple(_split([bag_renditions])),
                           source_organization=source_organization, profile=profile,
                           bagging_date=bagging_date),
            epub=EpubOptions(collection_title=collection),
            ocfl=OcflOptions(root=ocfl_root.absolute() if ocfl_root else None,
                             user_name=ocfl_user, user_address=ocfl_address,
                             message=ocfl_message),
        )
        options = BatchOptions(
            formats=tuple(formats),
            read=_read_options(from_format, title, meta, boilerplate, password=password),
            write=write_options, jobs=jobs, scheduler=scheduler, force=force,
            fail_fast=fail_fast, fail_on_warnings=fail_on_warnings, report_path=report,
            catalog=metadata,
            timeout=timeout, follow_links=follow_links, quiet=quiet, verbose=verbose,
            transfer_name=transfer_name, transfer_renditions=transfer_renditions,
            group_renditions=group_renditions,
        )
        from .batch.console import ConsoleReporter

        result = run_batch(inputs, output, options, ConsoleReporter(quiet=quiet))
    except (ConverterError, OSError) as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        _err("converter: interrupted; finished outputs are kept, and running the same command "
             "again converts the rest")
        raise typer.Exit(130) from None
    raise typer.Exit(result.exit_code)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="The input file.", show_default=False)],
    from_format: Annotated[str | None, typer.Option("--from", "-f", help="Reader to use.")] = None,
    title: Annotated[str | None, typer.Option(help="Override the title.")] = None,
    meta: Annotated[list[str] | None, typer.Option(help="Override metadata: key=value.")] = None,
    boilerplate: Annotated[list[str] | None, typer.Option(
        help="Extra boilerplate section heading (repeatable).")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Also say what the input is (PRONOM, through Siegfried).")
    ] = False,
) -> None:
    """Print the canonical JSON of one input.

    Example: converter parse article.txt > article.json
    """
    try:
        from .pipeline import parse as parse_file

        article = parse_file(file, _read_options(from_format, title, meta, boilerplate))
    except ConverterError as exc:
        raise _fail(exc) from None
    sys.stdout.write(article.to_json())
    for diagnostic in article.provenance.diagnostics if article.provenance else []:
        _err(str(diagnostic))
    if verbose:
        from .batch.execute import identification_text
        from .packaging.identify import identify_file

        found = identify_file(file).to_dict()
        _err(f"{file}: info: {identification_text(found)} [format-identification]")


@app.command("check-fidelity")
def check_fidelity(
    file: Annotated[Path, typer.Argument(help="The input file.", show_default=False)],
    to: Annotated[list[str] | None, typer.Option(
        "--to", "-t", help="Renditions to read back, comma-separated: json, markdown, jats, "
        "epub. Default: all four.")] = None,
    from_format: Annotated[str | None, typer.Option("--from", "-f", help="Reader to use.")] = None,
    fidelity_threshold: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Share of the body's words a rendition must keep.")] = 1.0,
) -> None:
    """Render one input in memory, read each rendition back and compare it with the article.

    One line per rendition: passed or failed, the share of the body's words kept in order, and
    what differs. Exit 1 when one fails.

    Example: converter check-fidelity article.txt --to markdown,epub
    """
    try:
        from .options import WriteOptions
        from .pipeline import FIDELITY_FORMATS
        from .pipeline import check_fidelity as check_renditions
        from .pipeline import parse as parse_file

        article = parse_file(file, _read_options(from_format, None, None))
        checks = check_renditions(article, _split(to) or FIDELITY_FORMATS,
                                  WriteOptions(fidelity_threshold=fidelity_threshold))
    except (ConverterError, OSError) as exc:
        raise _fail(exc) from None
    for fmt, result in checks.items():
        score = "none" if result.score is None else f"{result.score:.4f}"
        verdict = "passed" if result.passed else "failed"
        differences = f": {'; '.join(result.notes)}" if result.notes else ""
        typer.echo(one_line(f"{file}: {fmt}: {verdict}, score {score}{differences}"))
    raise typer.Exit(0 if all(c.passed for c in checks.values()) else 1)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Canonical JSON files (or JATS with --jats).",
                                                show_default=False)],
    jats: Annotated[bool, typer.Option("--jats", help="Validate JATS XML against the DTD.")
                    ] = False,
    jats_dtd: Annotated[Path | None, typer.Option(
        envvar="CONVERTER_JATS_DTD", help="Folder of the JATS DTDs (with catalog.xml).")] = None,
    preservation: Annotated[bool, typer.Option(
        "--mets", "--premis", help="Validate METS or PREMIS XML against the official XSDs.")
    ] = False,
    schemas: Annotated[Path | None, typer.Option(
        envvar="CONVERTER_PRESERVATION_SCHEMAS",
        help="Folder of mets.xsd, premis-v3-0.xsd, premis-v2-2.xsd and xlink.xsd.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Check canonical JSON documents against the schema, JATS files against the DTD, or METS
    and PREMIS files against their XML Schemas (offline).

    Examples: converter validate out/*.json;  converter validate --jats out/*.xml --jats-dtd dtd/;
    converter validate --mets out/x.bag/metadata/mets.xml --schemas preservation-schemas/
    """
    failed = 0
    for file in files:
        try:
            if jats:
                from .formats.jats.validate import validate_jats_file

                validate_jats_file(file, jats_dtd)
            elif preservation:
                from .formats.preservation import validate_file

                validate_file(file, schemas)
            else:
                import json

                from .model.schema import validate_document

                try:
                    document = json.loads(file.read_bytes())
                except (OSError, ValueError) as exc:
                    raise ConverterError(f"not readable JSON: {exc}", file=str(file)) from exc
                validate_document(document, file=str(file))
            if not quiet:
                typer.echo(f"{file}: valid")
        except UsageError as exc:
            raise _fail(exc) from None
        except ConverterError as exc:
            failed += 1
            errors = getattr(exc, "errors", None) or exc.message.splitlines()
            for message in errors:
                _err(f"{file}: {message}")
    raise typer.Exit(1 if failed else 0)


@app.command()
def verify(
    paths: Annotated[list[Path], typer.Argument(
        help="Bags (folders, .tar, .tgz, .zip), OCFL storage roots or OCFL objects.",
        show_default=False)],
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Verify packages: BagIt (RFC 8493: completeness, fixity, Payload-Oxum, tag manifests)
    or OCFL 1.1 (a storage root with all its objects, or one object; the spec's codes).

    Example: converter verify out/article.bag out/other.bag.tgz archive/ocfl
    """
    from . import verify as verify_path

    invalid = 0
    for path in paths:
        try:
            report = verify_path(path)
        except ConverterError as exc:
            raise _fail(exc) from None
        for warning in report.warnings:
            _err(f"{path}: warning: {warning}")
        for error in report.errors:
            _err(f"{path}: {error}")
        if report.valid:
            if not quiet:
                objects = getattr(report, "objects", 0)
                count = f" ({objects} OCFL object{'' if objects == 1 else 's'})" \
                    if getattr(report, "kind", "") == "root" else ""
                typer.echo(f"{path}: valid{count}")
        else:
            invalid += 1
    raise typer.Exit(1 if invalid else 0)


@app.command()
def formats() -> None:
    """List the readers and writers (built-in and plug-ins)."""
    from .registry import default_registry

    registry = default_registry()
    for kind in ("reader", "writer"):
        typer.echo(f"{kind}s:")
        for info in registry.formats:
            if info.kind != kind:
                continue
            aliases = f" (also: {', '.join(info.aliases)})" if info.aliases else ""
            origin = "" if info.builtin else " [plug-in]"
            typer.echo(f"  {info.name:<10} {info.description}{aliases}{origin}")


@app.command()
def schema() -> None:
    """Print the canonical JSON Schema (draft 2020-12)."""
    from .model.schema import schema_text

    sys.stdout.write(schema_text())


def main() -> None:
    """Console-script entry point."""
    # the converter's own warnings reach stderr; what libraries log is recorded as the
    # diagnostics of the input it concerns (pipeline._LibraryLogs), shown only with --debug
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(lambda record: State.debug or record.name.startswith("converter"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    try:
        app()
    except ConverterError as exc:  # a command that let one through: still one line
        if State.debug:
            raise
        _err(str(exc))
        raise SystemExit(1) from None
