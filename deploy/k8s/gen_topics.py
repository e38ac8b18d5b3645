"""`python -m deploy.k8s.gen_topics [--check]`: write the Strimzi KafkaTopics and KafkaUsers.

deploy/k8s/kafka/topics.yaml comes from the topic plan (shared/contracts/topics.py);
deploy/k8s/kafka/users.yaml gives each service a KafkaUser whose ACLs cover only its own topics,
the topics it consumes, their dead-letter topics and its consumer groups (read from the code),
plus a read-only user for KEDA's lag scaler. With --check nothing is written: the exit status
says whether the committed files are current.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from deploy.k8s.plan import TOPICS_FILE, USERS_FILE, rendered_topics, rendered_users


def outputs() -> dict[Path, str]:
    return {TOPICS_FILE: rendered_topics(), USERS_FILE: rendered_users()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the files are stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path}", file=sys.stderr if args.check else sys.stdout)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
