#!/usr/bin/env bash
# Copies a local file (a training CSV, a later quarter for validation) onto the release's data
# volume, where a LoanRiskModel's `spec.dataset.path` names it. Works on any cluster with kubectl
# only: a short-lived Pod mounts the claim, the file streams in through `kubectl exec`, and the
# Pod is deleted. The file appears under its final name only once complete.
#   scripts/upload-data.sh -n <namespace> [--claim loan-data] [--image <image>] [--pull-secret <name>]... <local file> <path on the volume>
# e.g. scripts/upload-data.sh -n peerloan-dev synthetic-50k.csv loans/synthetic-50k.csv
# The Pod runs the release's worker image with the release's imagePullSecrets (the chart's global
# `imagePullSecrets`, read from the worker or operator Deployment); --pull-secret names others instead.
set -euo pipefail

namespace=default claim=loan-data image="" pull_secrets=() pull_secrets_given=false
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--namespace) namespace=$2; shift 2 ;;
    --claim) claim=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --pull-secret) pull_secrets+=("$2"); pull_secrets_given=true; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: upload-data.sh -n <namespace> [--claim C] [--image I] [--pull-secret S]... <local file> <path on the volume>" >&2; exit 2; }
src=$1 dest=${2#/}
[ -f "$src" ] || { echo "upload-data: no such file: $src" >&2; exit 2; }
case "$dest" in *..*|"") echo "upload-data: the path must stay inside the volume: $2" >&2; exit 2 ;; esac

# Any image with a shell works; the release's own worker image is already on the nodes.
if [ -z "$image" ]; then
  image=$(kubectl -n "$namespace" get deploy -l app.kubernetes.io/component=worker \
    -o jsonpath='{.items[0].spec.template.spec.containers[0].image}' 2>/dev/null || true)
  [ -n "$image" ] || { echo "upload-data: no worker Deployment in $namespace to borrow an image from; pass --image" >&2; exit 2; }
fi
# The registry credentials the release's pods pull with: every chart Deployment carries the global list.
if ! $pull_secrets_given; then
  read -r -a pull_secrets <<< "$(kubectl -n "$namespace" get deploy -l 'app.kubernetes.io/part-of=loan-risk,app.kubernetes.io/component in (worker,operator)' \
    -o jsonpath='{.items[0].spec.template.spec.imagePullSecrets[*].name}' 2>/dev/null || true)"
fi
secrets_yaml=""
for secret in "${pull_secrets[@]}"; do
  if [ -n "$secret" ]; then secrets_yaml+="${secrets_yaml:+, }{name: $secret}"; fi
done

pod="loan-data-upload-$(date +%s)"
cleanup() { kubectl -n "$namespace" delete pod "$pod" --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

kubectl -n "$namespace" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $pod
  labels: {app.kubernetes.io/name: loan-risk, app.kubernetes.io/component: data-upload}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  imagePullSecrets: [$secrets_yaml]
  securityContext: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: upload
      image: $image
      imagePullPolicy: IfNotPresent
      command: [sleep, "3600"]
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
      volumeMounts: [{name: data, mountPath: /data}]
  volumes:
    - name: data
      persistentVolumeClaim: {claimName: $claim}
EOF
kubectl -n "$namespace" wait --for=condition=Ready "pod/$pod" --timeout=180s >/dev/null
# shellcheck disable=SC2016 # "$1" is expanded by the pod's shell: the destination path
kubectl -n "$namespace" exec -i "$pod" -- sh -c \
  'set -e; mkdir -p "$(dirname "/data/$1")"; cat > "/data/$1.part"; mv "/data/$1.part" "/data/$1"; wc -c < "/data/$1"' \
  upload "$dest" < "$src" | { read -r bytes; echo "upload-data: $src -> $claim:/$dest ($bytes bytes)"; }
