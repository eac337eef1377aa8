# syntax=docker/dockerfile:1
# The four images, one target each; build context: the repository root (one lockfile, shared
# contracts/):
#   docker build --target trainer-job -t ghcr.io/peerloan/trainer-job .
#   docker build --target api         -t ghcr.io/peerloan/api .
#   docker build --target workers     -t ghcr.io/peerloan/workers .
#   docker build --target operator    -t ghcr.io/peerloan/operator .
# (`npm run images` runs `buildah bud --target <name>`, skaffold.yaml sets each artifact's
# docker.target; without --target a build makes the last stage, the operator.)
#
# Why one file with targets: the four images start the same way (every workspace manifest,
# `npm ci`, the sources, `tsc -b`) and differ only in their production dependencies and runtime
# stage. Written once here, `npm ci` and the compile run once for all four (buildah --layers and
# BuildKit reuse a stage's layers across targets), and a target skips the other images' stages;
# the compile is one stage for all, so the trainer or the operator built alone compiles the api
# and the web app too (api's `tsc -b` compiled the other two already: its tests reference them).
# Each runtime stage holds only its program, the workspaces it imports (contracts, scoring) and
# their production dependencies. A shared base image built first (four Dockerfiles FROM a
# peerloan build image) was the alternative: it needs a build order (skaffold `requires`,
# images.sh's order), its tag passed into each build, one more image pushed to every registry the
# images go to, and still five files.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- manifests: the lockfile and every workspace's package.json ------------------------------
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
ENV ONNXRUNTIME_NODE_INSTALL=skip
# Each workspace's package.json must be present for `npm ci` to accept the lockfile.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY contracts/package.json contracts/
COPY scoring/package.json scoring/
COPY trainer-job/package.json trainer-job/
COPY api/package.json api/
COPY workers/package.json workers/
COPY operator/package.json operator/
COPY load-tests/package.json load-tests/
COPY e2e/package.json e2e/
COPY web/package.json web/

# ---- build: every dependency, the four programs compiled, the web app bundled ----------------
FROM manifests AS build
RUN npm ci --no-audit --no-fund --ignore-scripts
# Sources of every workspace (filtered by .dockerignore): tsc -b follows the references.
COPY . .
RUN npx tsc -b trainer-job api workers operator && npm run build --silent -w web

# ---- prod-deps: each image's *-deps stage installs its workspaces' runtime dependencies -------
FROM manifests AS prod-deps
COPY scripts/image-prod-deps.sh /usr/local/bin/image-prod-deps

# ==== trainer-job: the training Job ===========================================================
# The operator runs it with --data/--out/--config/--termination-log; it writes only to those
# mounted volumes and /tmp, so it runs with a read-only root filesystem.
FROM prod-deps AS trainer-job-deps
# Set by BuildKit (amd64, arm64, ...); the onnxruntime binaries of every other platform go.
ARG TARGETARCH
RUN image-prod-deps @peerloan/trainer-job

FROM ${NODE_IMAGE} AS trainer-job
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0=1.7.4-1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=trainer-job-deps /src/node_modules node_modules
COPY --from=build /src/package.json ./
COPY --from=build /src/contracts/package.json contracts/
COPY --from=build /src/contracts/dist/src contracts/dist/src
COPY --from=build /src/trainer-job/package.json trainer-job/
COPY --from=build /src/trainer-job/dist/src trainer-job/dist/src
# The image's `node` user (uid/gid 1000); numeric so runAsNonRoot can verify it.
USER 1000:1000
ENTRYPOINT ["node", "trainer-job/dist/src/main.js"]
CMD ["--help"]

# ==== api: the prediction API =================================================================
# Settings come from the environment (PORT, HOST, MODELS_ROOT + LIVE_VERSION [+ CANDIDATE_*] or
# MODEL_DIR, MODEL_NAME, REDIS_URL, ...); the model is read from a mounted volume and nothing is
# written outside /tmp, so the root filesystem can be read-only.
FROM prod-deps AS api-deps
ARG TARGETARCH
RUN image-prod-deps @peerloan/api

FROM ${NODE_IMAGE} AS api
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 GRPC_PORT=8081 MODEL_DIR=/models MODEL_NAME=loan-risk
COPY --from=api-deps /src/node_modules node_modules
COPY --from=build /src/package.json ./
COPY --from=build /src/contracts/package.json contracts/
COPY --from=build /src/contracts/dist/src contracts/dist/src
COPY --from=build /src/scoring/package.json scoring/
COPY --from=build /src/scoring/dist/src scoring/dist/src
COPY --from=build /src/api/package.json api/
COPY --from=build /src/api/dist/src api/dist/src
# The OIP gRPC definition, loaded at start (api/src/grpc/inference-proto.ts).
COPY --from=build /src/api/proto api/proto
# The web app's bundle (index.html, one script, one style sheet), served by the API.
COPY --from=build /src/web/dist web/dist
USER 1000:1000
EXPOSE 8080 8081
# V8's memory reducer off: its watchdog forces a mark-compact whenever none ran for 100 s, which
# for an API that promotes nothing under steady load is a 5-95 ms stall every 100 s
# (docs/BENCHMARKS.md, run K).
ENTRYPOINT ["node"]
CMD ["--no-memory-reducer", "api/dist/src/main.js"]

# ==== workers: the BullMQ workers (WORKER_ROLES: batch, drift, audit) ==========================
# What `npm run worker` runs. Settings come from the environment (WORKER_ROLES, REDIS_URL,
# MODEL_DIR, LRM_NAME + POD_NAMESPACE, METRICS_PORT, AUDIT_DIR, ...); the model is read from a
# mounted volume and the audit archive written to AUDIT_DIR on a mounted volume, nothing else
# outside /tmp, so the root filesystem can be read-only. No Express, gRPC or web bundle: the API's
# workspace is not installed; @kubernetes/client-node is, for the LoanRiskModel watch.
FROM prod-deps AS workers-deps
ARG TARGETARCH
RUN image-prod-deps @peerloan/workers

FROM ${NODE_IMAGE} AS workers
WORKDIR /app
ENV NODE_ENV=production MODEL_DIR=/models
COPY --from=workers-deps /src/node_modules node_modules
COPY --from=build /src/package.json ./
COPY --from=build /src/contracts/package.json contracts/
COPY --from=build /src/contracts/dist/src contracts/dist/src
# The scoring core, with its scoring thread's entry (scoring-thread-entry.js, started by URL).
COPY --from=build /src/scoring/package.json scoring/
COPY --from=build /src/scoring/dist/src scoring/dist/src
COPY --from=build /src/workers/package.json workers/
COPY --from=build /src/workers/dist/src workers/dist/src
USER 1000:1000
EXPOSE 9091
# Plain node, as `npm run worker` and the chart's former worker.command: --no-memory-reducer (the
# API's, above) keeps request latency, which the workers do not serve. `node
# workers/dist/src/audit-cli.js export ...` exports the audit archive (README, `kubectl exec`).
ENTRYPOINT ["node", "workers/dist/src/main.js"]

# ==== operator: the LoanRiskModel controller ==================================================
# In-cluster config when KUBECONFIG is unset; WATCH_NAMESPACE narrows the watch; it writes
# nothing to disk, so the root filesystem can be read-only.
FROM prod-deps AS operator-deps
RUN image-prod-deps @peerloan/operator

FROM ${NODE_IMAGE} AS operator
WORKDIR /app
ENV NODE_ENV=production
COPY --from=operator-deps /src/node_modules node_modules
COPY --from=build /src/package.json ./
COPY --from=build /src/contracts/package.json contracts/
COPY --from=build /src/contracts/dist/src contracts/dist/src
COPY --from=build /src/operator/package.json operator/
COPY --from=build /src/operator/dist/src operator/dist/src
USER 1000:1000
EXPOSE 8081
ENTRYPOINT ["node", "operator/dist/src/main.js"]
