#!/bin/sh
# The production node_modules of one image (the Dockerfile's *-deps stages run it in /src, where
# every workspace manifest and the lockfile are):  image-prod-deps.sh <workspace package>...
# npm ci of those workspaces without dev dependencies (their own included) or install scripts, then
# onnxruntime-node's binaries for every platform but linux/$TARGETARCH removed: the package ships
# five (darwin arm64, linux and win32 arm64 and x64: about 290 MB) and the image runs on one.
set -eu

[ $# -gt 0 ] || { echo "usage: image-prod-deps.sh <workspace package>..." >&2; exit 2; }
workspaces=""
for workspace in "$@"; do workspaces="$workspaces --workspace=$workspace"; done
# shellcheck disable=SC2086 # one --workspace=<name> word per workspace
npm ci --omit=dev $workspaces --no-audit --no-fund --ignore-scripts

# --omit=dev leaves out what only the root's devDependencies need, not a named workspace's own
# devDependencies: api's (@peerloan/operator with @kubernetes/client-node, playwright-core) and the
# workers' (@peerloan/operator, @peerloan/trainer-job) came along. `npm ls --omit=dev` lists what
# the workspaces need at runtime; every other top-level package goes.
keep=$(mktemp)
# shellcheck disable=SC2086 # one --workspace=<name> word per workspace
npm ls --omit=dev --all --parseable $workspaces > "$keep"
for dir in node_modules/* node_modules/@*/*; do
  case "$dir" in node_modules/@*/*) ;; node_modules/@*) continue ;; esac
  [ -e "$dir" ] || [ -L "$dir" ] || continue
  grep -qxF "$PWD/$dir" "$keep" || rm -rf "$dir"
done
find node_modules -mindepth 1 -maxdepth 1 -name '@*' -type d -empty -delete
rm -f "$keep"

# TARGETARCH is BuildKit's (amd64, arm64, ...); scripts/images.sh passes it to buildah.
ort=node_modules/onnxruntime-node/bin/napi-v6
arch=$([ "${TARGETARCH:-}" = arm64 ] && echo arm64 || echo x64)
if [ -d "$ort" ]; then find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/linux/$arch" -exec rm -rf {} +; fi
npm cache clean --force
