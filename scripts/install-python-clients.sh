#!/usr/bin/env bash
# The Python clients the tests drive against the API: NVIDIA's tritonclient with its gRPC extra
# (the client KServe's documentation uses for the Open Inference Protocol over gRPC), in a venv
# cached outside the clone and made again only when the pinned list changes.
# Usage: install-python-clients.sh   Prints the venv's python on the last line of stdout.
set -euo pipefail

REQUIREMENTS=("tritonclient[grpc]==2.73.0" "numpy==2.4.6")

cache_root=${PEERLOAN_TOOLS_CACHE:-$HOME/.cache/peerloan-tools}
venv="$cache_root/python-clients"
marker="$venv/requirements.txt"
wanted=$(printf '%s\n' "${REQUIREMENTS[@]}")

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$marker" 2>/dev/null)" != "$wanted" ]; then
  echo "python clients: installing ${REQUIREMENTS[*]} into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}" >&2
  # Written last: an interrupted install is redone next time, never taken as present.
  echo "$wanted" > "$marker"
fi
echo "$venv/bin/python"
