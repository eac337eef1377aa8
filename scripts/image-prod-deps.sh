#!/bin/sh
# The production node_modules of one image (the Dockerfile's *-deps stages run it in /src, where
# every workspace manifest and the lockfile are):  image-prod-deps.sh <workspace package>...
# npm ci of those workspaces without dev dependencies or install scripts, then onnxruntime-node's
# binaries for every platform but linux/$TARGETARCH removed: the package ships five (darwin arm64,
# linux and win32 arm64 and x64: about 290 MB) and the image runs on one.
set -eu

[ $# -gt 0 ] || { echo "usage: image-prod-deps.sh <workspace package>..." >&2; exit 2; }
workspaces=""
for workspace in "$@"; do workspaces="$workspaces --workspace=$workspace"; done
# shellcheck disable=SC2086 # one --workspace=<name> word per workspace
npm ci --omit=dev $workspaces --no-audit --no-fund --ignore-scripts

# TARGETARCH is BuildKit's (amd64, arm64, ...); scripts/images.sh passes it to buildah.
ort=node_modules/onnxruntime-node/bin/napi-v6
arch=$([ "${TARGETARCH:-}" = arm64 ] && echo arm64 || echo x64)
if [ -d "$ort" ]; then find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/linux/$arch" -exec rm -rf {} +; fi
npm cache clean --force
