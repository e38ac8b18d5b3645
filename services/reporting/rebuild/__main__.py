"""`python -m services.reporting.rebuild`: rebuild reporting's projections and swap them in.

Reads the same REPORTING_* settings as the service. Progress goes to stderr (a bar on a
terminal, a line every few seconds otherwise); the result is one line on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from services.reporting.rebuild.progress import RebuildProgress
from services.reporting.rebuild.run import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    RebuildResult,
    rebuild,
)
from services.reporting.settings import ReportingSettings
from shared.logging import configure_logging


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.reporting.rebuild",
        description="Rebuild every reporting projection from the retained topics and swap the "
        "new tables in while the service keeps running.",
    )
    parser.add_argument(
        "--keep-old", action="store_true", help="keep the replaced tables in reporting_old_<ts>"
    )
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="records per transaction"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help="processes applying the facts (about one per core Postgres leaves free)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    settings = ReportingSettings()
    configure_logging(service="reporting-rebuild", level=settings.log_level, json=settings.log_json)
    progress = RebuildProgress(sys.stderr, enabled=not args.no_progress)
    result = asyncio.run(
        rebuild(
            settings,
            keep_old=args.keep_old,
            batch_size=args.batch_size,
            progress=progress,
            workers=args.workers,
        )
    )
    print(summary(result))
    return 0


def summary(result: RebuildResult) -> str:
    outcomes = ", ".join(f"{n:,} {name}" for name, n in sorted(result.outcomes.items()))
    kept = f"; old tables kept in {result.kept_old_schema}" if result.kept_old_schema else ""
    return (
        f"rebuilt {len(result.swapped)} tables in schema {result.live_schema} from "
        f"{result.events:,} records in {result.seconds:.1f} s "
        f"({result.events_per_second:,.0f} records/s; {outcomes or 'nothing to apply'}){kept}"
    )


if __name__ == "__main__":
    sys.exit(main())
