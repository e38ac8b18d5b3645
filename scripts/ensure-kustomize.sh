#!/usr/bin/env bash
# Make sure the pinned kustomize is installed in the project cache; print its path on stdout.
#
#   scripts/ensure-kustomize.sh            -> ~/.cache/cppcc/bin/kustomize-v5.8.1
#
# Debian's kubectl is too old for kustomize components, so the tests render the manifests with
# kustomize itself, built from source with `go install` (the Go module proxy is the only place
# it comes from here). Idempotent and safe to run concurrently: a second run only checks the
# version. Progress goes to stderr. Needs Go 1.22 or later on PATH or in /usr/local/go/bin.
set -euo pipefail

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.1}"
CACHE_DIR="${CPPCC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cppcc}"
BIN_DIR="$CACHE_DIR/bin"
TARGET="$BIN_DIR/kustomize-$KUSTOMIZE_VERSION"

installed() {
    [ -x "$TARGET" ] && [ "$("$TARGET" version 2>/dev/null)" = "$KUSTOMIZE_VERSION" ]
}

if installed; then
    echo "$TARGET"
    exit 0
fi

mkdir -p "$BIN_DIR"
exec 9>"$BIN_DIR/.kustomize.lock"
flock 9
if installed; then  # another run finished it while we waited for the lock
    echo "$TARGET"
    exit 0
fi

GO="$(command -v go || true)"
if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then
    GO=/usr/local/go/bin/go
fi
if [ -z "$GO" ]; then
    echo "ensure-kustomize: no Go toolchain found (need go >= 1.22 to build kustomize)" >&2
    exit 1
fi

WORK="$(mktemp -d "$BIN_DIR/.install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "ensure-kustomize: building kustomize $KUSTOMIZE_VERSION with $("$GO" version) (about 2 minutes the first time)" >&2
# GOTOOLCHAIN=local: build with the Go that is here, never fetch another toolchain.
GOBIN="$WORK" GOTOOLCHAIN=local "$GO" install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
mv "$WORK/kustomize" "$TARGET"
ln -sfn "kustomize-$KUSTOMIZE_VERSION" "$BIN_DIR/kustomize"
installed || { echo "ensure-kustomize: $TARGET does not report $KUSTOMIZE_VERSION" >&2; exit 1; }
echo "$TARGET"
