"""Command line: `python -m brief build|validate …`."""

from __future__ import annotations

import argparse
import sys

from brief.config import DATA_DIR, DEFAULT_AS_OF, OUTPUT_DIR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m brief", description="Build the Ottawa Convention withdrawals brief.")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="validate the data, run the notebooks, write the HTML and PDF brief")
    build.add_argument("--as-of", default=DEFAULT_AS_OF, help=f"the brief's date, YYYY-MM-DD (default {DEFAULT_AS_OF})")
    build.add_argument("--countries", default="", help="comma-separated subset of EE,LV,LT,FI,PL (default: all five)")
    build.add_argument("--data-dir", default=str(DATA_DIR), help="folder with the CSV files and sources/ (default data/)")
    build.add_argument("--output-dir", default=str(OUTPUT_DIR), help="where the brief is written (default output/)")
    build.add_argument("--formats", default="html,pdf", help="html, pdf or html,pdf (default both)")
    build.add_argument("--force", action="store_true", help="re-run every notebook even if nothing changed")

    check = commands.add_parser("validate", help="check the data against the contract and report every problem")
    check.add_argument("--data-dir", default=str(DATA_DIR))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from brief.data import DataError, validate
    from brief.manifest import ManifestError
    from brief.params import ParameterError, build_params

    try:
        if args.command == "validate":
            validate(args.data_dir)
            print(f"{args.data_dir}: the data keeps the contract.")
            return 0
        params = build_params(
            as_of=args.as_of,
            countries=args.countries,
            data_dir=args.data_dir,
            output_dir=args.output_dir,
            formats=args.formats,
            force=args.force,
        )
        from brief.build import NotebookError, build
        from brief.render import RenderError

        try:
            build(params)
        except (NotebookError, RenderError) as exc:
            print(f"error: {exc}\nThe previous brief was left as it was.", file=sys.stderr)
            return 1
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (DataError, ManifestError) as exc:
        print(f"error: {exc}\nNo notebook was run; the previous brief was left as it was.", file=sys.stderr)
        return 1
    return 0
