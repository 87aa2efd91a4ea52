#!/usr/bin/env bash
# The k8s deploy: `bash k8s/deploy.sh kind` (or minikube, or a path to your own overlay).
# First creates the Secret saga-secrets with random values if it does not exist yet: the PostgreSQL, RabbitMQ and
# Redis passwords, the gateway's ES256 signing key and the admin password. An existing Secret is kept as it is, so a
# second run (or an upgrade) changes nothing and the database keeps the password it was created with. Nothing of it is
# in the repository (docs/decisions/0018); test/deploy checks that k8s/base holds no usable secret.
set -euo pipefail

overlay="${1:-kind}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ -d "$overlay" ]] || overlay="$here/overlays/$overlay"
namespace=saga-platform
secret=saga-secrets

for tool in kubectl openssl; do
  command -v "$tool" >/dev/null || { echo "deploy: $tool is needed" >&2; exit 1; }
done

# The namespace first (the overlay creates it too; apply is idempotent): the Secret lives in it.
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -

if kubectl -n "$namespace" get secret "$secret" >/dev/null 2>&1; then
  echo "deploy: Secret $secret exists, kept as it is"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # ES256 (P-256) in PKCS#8 PEM: what the gateway signs with; it publishes the public half at /.well-known/jwks.json.
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/jwt-signing-key.pem"
  # Hex passwords: safe inside the URLs the services build ($(POSTGRES_PASSWORD) in postgres://saga:…@postgres).
  kubectl -n "$namespace" create secret generic "$secret" \
    --from-literal=postgres-password="$(openssl rand -hex 32)" \
    --from-literal=rabbitmq-password="$(openssl rand -hex 32)" \
    --from-literal=redis-password="$(openssl rand -hex 32)" \
    --from-literal=admin-password="$(openssl rand -hex 16)" \
    --from-file=jwt-signing-key.pem="$work/jwt-signing-key.pem"
  echo "deploy: created Secret $secret with generated values. The admin password (user admin):"
  echo "  kubectl -n $namespace get secret $secret -o jsonpath='{.data.admin-password}' | base64 -d; echo"
fi

kubectl apply -k "$overlay"
