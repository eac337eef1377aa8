#!/usr/bin/env bash
# The local cluster's certificates and keys, made with openssl under .cluster/pki: one CA that
# signs every serving and client certificate, and the service-account signing key pair.
# Usage: pki.sh <pki dir> <node name> <node ip> [<second node name> <second node ip>]
set -euo pipefail
dir=$1 node=$2 node_ip=$3 node2=${4:-} node2_ip=${5:-}
service_ip=10.96.0.1
mkdir -p "$dir"
cd "$dir"

[ -f ca.crt ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=peerloan-local-ca" \
  -keyout ca.key -out ca.crt 2>/dev/null

# sign <name> <subject> [subjectAltName]: a key and a certificate signed by the CA.
sign() {
  local name=$1 subject=$2 san=${3:-}
  [ -f "$name.crt" ] && return
  openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } > "$ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile "$ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$ext"
}

sign apiserver "/CN=kube-apiserver" \
  "IP:127.0.0.1,IP:$node_ip,IP:$service_ip,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign admin "/O=system:masters/CN=admin"
sign controller-manager "/CN=system:kube-controller-manager"
sign scheduler "/CN=system:kube-scheduler"
sign kube-proxy "/CN=system:kube-proxy"
sign kubelet "/O=system:nodes/CN=system:node:$node" "IP:$node_ip,IP:127.0.0.1,DNS:$node"
# The second node's kubelet (`up --nodes 2`): the Node authorizer lets each kubelet change only its own node.
[ -z "$node2" ] || sign "kubelet-$node2" "/O=system:nodes/CN=system:node:$node2" "IP:$node2_ip,IP:127.0.0.1,DNS:$node2"
# The API server's identity towards kubelets (logs, exec) and aggregated APIs (metrics-server).
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
sign front-proxy-client "/CN=front-proxy-client"

[ -f sa.key ] || { openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }
chmod 600 ./*.key
