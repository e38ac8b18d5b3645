"""`python -m deploy.demo [--seed N] [--scale default|province] [--base-urls ...]`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from deploy.demo.client import Urls
from deploy.demo.directory import SCALES
from deploy.demo.main import Options, load_demo, write_manifest
from deploy.local.stack import REPO_ROOT


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.demo",
        description="Load the demo province into a running platform (make run's, by default).",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument(
        "--base-urls",
        default="",
        help="members=http://…,visits=…,notifications=…,reporting=… (default: make run's ports)",
    )
    parser.add_argument("--keys-dir", type=Path, default=REPO_ROOT / ".run" / "keys")
    parser.add_argument("--today", type=date.fromisoformat, help="the day the year ends on")
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--manifest", type=Path, default=REPO_ROOT / ".run" / "demo.json")
    args = parser.parse_args(argv)
    options = Options(
        urls=Urls.parse(args.base_urls),
        keys_dir=args.keys_dir,
        seed=args.seed,
        scale=args.scale,
        today=args.today,
        concurrency=args.concurrency,
    )
    write_manifest(args.manifest, asyncio.run(load_demo(options)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
