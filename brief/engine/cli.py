"""Command line: `python -m brief build|validate …`."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time

from brief.config import DATA_DIR, DEFAULT_AS_OF, OUTPUT_DIR
from brief.engine.params import DEFAULT_CELL_TIMEOUT

INTERRUPTED = 130
PREVIEW_PORT = 8000  # the exit status of a program stopped by Ctrl-C


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m brief", description="Build the Ottawa Convention withdrawals brief.")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="validate the data, run the notebooks, write the HTML and PDF brief")
    build.add_argument("--as-of", default=DEFAULT_AS_OF, help=f"the brief's date, YYYY-MM-DD (default {DEFAULT_AS_OF})")
    build.add_argument("--countries", default="", help="comma-separated subset of EE,LV,LT,FI,PL (default: all five)")
    build.add_argument("--data-dir", default=str(DATA_DIR), help="folder with the CSV files and sources/ (default data/)")
    build.add_argument("--output-dir", default=str(OUTPUT_DIR), help="where the brief is written (default output/)")
    build.add_argument("--formats", default="html,pdf", help="any of html, pdf, docx, comma-separated (default html,pdf; docx is the Word edition)")
    build.add_argument("--force", action="store_true", help="re-run every notebook even if nothing changed")
    build.add_argument("--cell-timeout", default=DEFAULT_CELL_TIMEOUT, metavar="SECONDS", help=f"stop a notebook cell that runs longer than this (default {DEFAULT_CELL_TIMEOUT:g})")

    preview = commands.add_parser("preview", help="serve the HTML brief on 127.0.0.1 and rebuild it on every save (Ctrl-C stops it)")
    preview.add_argument("--port", type=int, default=PREVIEW_PORT, help=f"the port on 127.0.0.1 (default {PREVIEW_PORT}; 0 picks a free one)")
    for name in ("--as-of", "--countries", "--data-dir", "--output-dir", "--cell-timeout"):
        action = next(a for a in build._actions if name in a.option_strings)
        preview.add_argument(name, default=action.default, help=action.help if name != "--output-dir" else "whose cache the preview shares; it publishes nothing there (default output/)", metavar=action.metavar)

    check = commands.add_parser("validate", help="check the data against the contract and report every problem")
    check.add_argument("--data-dir", default=str(DATA_DIR))

    commands.add_parser("data-dictionary", help="rewrite the column tables of data/README.md from the schema in brief/data.py")

    add = commands.add_parser("add-source", help="add an article: copy its text into data/sources/ and write its sources.csv row")
    add.add_argument("file", help="the article as a UTF-8 text file")
    add.add_argument("--title", required=True)
    add.add_argument("--publisher", required=True)
    add.add_argument("--published", required=True, help="YYYY-MM-DD, YYYY-MM or YYYY")
    add.add_argument("--url", required=True, help="http(s) address of the article")
    add.add_argument("--id", dest="source_id", help="source id (default: from the title)")
    add.add_argument("--kind", default="corpus_article", help="source kind (default corpus_article)")
    add.add_argument("--accessed", help="YYYY-MM-DD the URL was consulted (default today)")
    add.add_argument("--data-dir", default=str(DATA_DIR))
    return parser


def skip_slow_imports() -> None:
    """Keep jsonschema from importing rfc3987_syntax in this process.

    jsonschema, which nbformat imports (and with it papermill and nbconvert), loads rfc3987_syntax when
    it is installed (jupyter-events asks for it), and that module builds a grammar as it is imported:
    2.1 s of every build that runs a notebook (papermill's import: 2.6 s, 0.5 s without it), for the
    "iri" format checks that nothing here uses. A None in sys.modules makes the import fail, which
    jsonschema expects (it then goes without those checks); see python-jsonschema/jsonschema#1428.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    skip_slow_imports()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    try:
        return _run(args, argv)
    except KeyboardInterrupt:
        after = "nothing was changed" if args.command == "add-source" else "the previous brief was left as it was"
        print(f"Interrupted: {after}.", file=sys.stderr)
        return INTERRUPTED


def _run(args, argv: list[str]) -> int:
    from brief.engine.params import ParameterError, build_params
    from brief.errors import DataError, ManifestError

    try:
        if args.command == "validate":
            from brief.data import validate

            validate(args.data_dir)
            print(f"{args.data_dir}: the data keeps the contract.")
            return 0
        if args.command == "data-dictionary":
            from brief.config import DATA_README
            from brief.data import data_dictionary

            DATA_README.write_text(data_dictionary(DATA_README.read_text(encoding="utf-8")), encoding="utf-8")
            print(f"{DATA_README}: column tables written from the schema.")
            return 0
        if args.command == "add-source":
            from brief.engine.add_source import add_source

            source_id = add_source(
                args.file, title=args.title, publisher=args.publisher, published=args.published, url=args.url,
                data_dir=args.data_dir, source_id=args.source_id, kind=args.kind, accessed=args.accessed,
            )
            print(f"Added {source_id} to {args.data_dir}/sources.csv; the next build includes it.")
            return 0
        if args.command == "preview":
            from brief.engine.preview import serve

            params = build_params(as_of=args.as_of, countries=args.countries, data_dir=args.data_dir, output_dir=args.output_dir, formats="html", force=False, cell_timeout=args.cell_timeout)
            return serve(params, args.port, log=lambda message: print(message, file=sys.stderr, flush=True), restart_argv=["-m", "brief", *sys.argv[1:]])
        params = build_params(
            as_of=args.as_of,
            countries=args.countries,
            data_dir=args.data_dir,
            output_dir=args.output_dir,
            formats=args.formats,
            force=args.force,
            cell_timeout=args.cell_timeout,
        )
        from brief.engine import unchanged

        started = time.perf_counter()
        if unchanged.up_to_date(params):  # (told from the files' status: the engine is not even imported)
            print(unchanged.nothing_changed(params.output_dir, time.perf_counter() - started), file=sys.stderr)
            return 0
        from brief.engine import server

        here, ident = os.getcwd(), server.identity() if server.enabled() else ""  # (before the build: it changes the working folder; "": no server)
        status = server.build_there(argv, ident, params.output_dir)  # on the warm build server, if one is up (brief/engine/server.py)
        if status is not None:
            return status
        status = _build_here(params)
        server.start(ident, here, params.output_dir)  # for the next build
        return status
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (DataError, ManifestError) as exc:
        after = "Nothing was changed." if args.command == "add-source" else "Nothing was published; the previous brief was left as it was."
        print(f"error: {exc}\n{after}", file=sys.stderr)
        return 1


def _build_here(params) -> int:
    """Build in this process; the exit status, errors reported (ParameterError, DataError and ManifestError are left to the caller)."""
    from brief.engine.build import NotebookError, build
    from brief.engine.kernels import KernelStartError
    from brief.errors import CheckError, OutputBusyError, RenderError

    try:
        build(params)
    except OutputBusyError as exc:
        print(f"error: {exc}\nNothing was changed.", file=sys.stderr)
        return 1
    except (NotebookError, RenderError, KernelStartError, CheckError) as exc:
        print(f"error: {exc}\nThe previous brief was left as it was.", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a folder that became read-only: the build removed what it had written
        what = "the disk is full" if exc.errno == errno.ENOSPC else "a file could not be written"
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {what}{where}: {exc.strerror or exc}. The build's partial files were removed; the cache and the previous brief were left as they were.", file=sys.stderr)
        return 1
    return 0
