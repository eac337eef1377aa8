{{/*
Names and labels shared by every template.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "loan-risk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every object name: <release>-<chart>, or just <release> when it already holds
the chart name; cut to 63 characters (DNS label) less room for a component suffix.
*/}}
{{- define "loan-risk.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart label value: name-version. */}}
{{- define "loan-risk.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. part-of=loan-risk is what the NetworkPolicies call "the platform's pods". */}}
{{- define "loan-risk.labels" -}}
helm.sh/chart: {{ include "loan-risk.chart" . }}
{{ include "loan-risk.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: loan-risk
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select the release's pods; add app.kubernetes.io/component per component. */}}
{{- define "loan-risk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "loan-risk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Per-component names. */}}
{{- define "loan-risk.operator.fullname" -}}{{ include "loan-risk.fullname" . }}-operator{{- end }}
{{- /* Cluster-scoped objects are named for the release's namespace too: one release per
environment (same release name, one namespace each) must not collide on them. */}}
{{- define "loan-risk.operator.clusterName" -}}{{ printf "%s-%s" .Release.Namespace (include "loan-risk.operator.fullname" .) | trunc 63 | trimSuffix "-" }}{{- end }}
{{- define "loan-risk.worker.fullname" -}}{{ include "loan-risk.fullname" . }}-worker{{- end }}
{{- define "loan-risk.redis.fullname" -}}{{ include "loan-risk.fullname" . }}-redis{{- end }}

{{/* The claim holding datasets and models: the existing one, or the chart's. */}}
{{- define "loan-risk.dataClaimName" -}}
{{- default .Values.persistence.claimName .Values.persistence.existingClaim }}
{{- end }}

{{/* The Secret of hashed API keys the API reads: the existing one, the chart's (when keys are listed), or none. */}}
{{- define "loan-risk.apiKeysSecretName" -}}
{{- $k := .Values.loanRiskModel.auth.apiKeys }}
{{- if $k.existingSecret }}{{ $k.existingSecret }}{{ else if $k.keys }}{{ include "loan-risk.fullname" . }}-api-keys{{ end }}
{{- end }}

{{/* Redis URL the worker uses: the release's Redis, or the external one. */}}
{{- define "loan-risk.redisUrl" -}}
{{- if .Values.redis.enabled }}
{{- printf "redis://%s:%d/0" (include "loan-risk.redis.fullname" .) (int .Values.redis.port) }}
{{- else }}
{{- required "redis.externalUrl is required when redis.enabled is false" .Values.redis.externalUrl }}
{{- end }}
{{- end }}

{{/*
An image reference from {repository, tag, digest}: the digest wins, the tag defaults to the
chart's appVersion. Call with (dict "image" .Values.images.api "context" $).
*/}}
{{- define "loan-risk.image" -}}
{{- $image := .image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository (default .context.Chart.AppVersion $image.tag) }}
{{- end }}
{{- end }}

{{/*
A chart pod's labels: the release's, its component's, then its component's podLabels, which never
replace the release's own (the schema refuses the selector ones). Call with
(dict "context" $ "component" "operator" "podLabels" .Values.operator.podLabels).
*/}}
{{- define "loan-risk.podLabels" -}}
{{- $own := include "loan-risk.labels" .context | fromYaml }}
{{- $_ := set $own "app.kubernetes.io/component" .component }}
{{- toYaml (merge $own (.podLabels | default dict)) }}
{{- end }}

{{/*
A chart pod's placement from its component's values (operator, worker, redis): the fields of the
LoanRiskModel's spec.serving and spec.training, under the same names.
*/}}
{{- define "loan-risk.podPlacement" -}}
{{- with .priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The placement of the chart LoanRiskModel's pods (loanRiskModel.serving or .training): the chart
pods' fields plus podAnnotations, podLabels, serviceAccountName and imagePullSecrets, under the
CRD's names; an empty value is left out, so the operator's default applies.
*/}}
{{- define "loan-risk.modelPlacement" -}}
{{- include "loan-risk.podPlacement" . }}
{{- with .podAnnotations }}
podAnnotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .podLabels }}
podLabels:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .serviceAccountName }}
serviceAccountName: {{ . | quote }}
{{- end }}
{{- with .imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* A pod's imagePullSecrets, as a flow list of {name}. */}}
{{- define "loan-risk.imagePullSecrets" -}}
{{- $secrets := list }}
{{- range .Values.imagePullSecrets }}
{{- $secrets = append $secrets (dict "name" .) }}
{{- end }}
{{- toJson $secrets }}
{{- end }}

{{/*
What the operator may do where it reconciles models: the rules of manifests/operator/rbac.yaml,
which the operator's tests prove sufficient by running it with exactly them (a test checks the
two agree). Leases are left out here: leader election gets its own Role, limited to the one
Lease, in the release namespace.
*/}}
{{- define "loan-risk.operator.rules" -}}
- apiGroups: [risk.peerloan.io]
  resources: [loanriskmodels]
  verbs: [get, list, watch]
- apiGroups: [risk.peerloan.io]
  resources: [loanriskmodels/status]
  verbs: [get, update, patch]
# spec.rollout.approval required: the reviewers' decisions on waiting candidates.
- apiGroups: [risk.peerloan.io]
  resources: [loanriskmodelapprovals]
  verbs: [list, watch]
# blockOwnerDeletion on the children needs this where OwnerReferencesPermissionEnforcement is on.
- apiGroups: [risk.peerloan.io]
  resources: [loanriskmodels/finalizers]
  verbs: [update]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
- apiGroups: [""]
  resources: [configmaps, services]
  verbs: [get, create, patch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, patch]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, create, patch]
- apiGroups: [policy]
  resources: [poddisruptionbudgets]
  verbs: [get, create, patch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses]
  verbs: [get, create, patch, delete]
# list: mount and attach failures of the model's pods are reported only as Events.
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch, list]
{{- end }}

{{/* Rules values.schema.json cannot say (it compares no two fields); rendered with the operator. */}}
{{- define "loan-risk.validate" -}}
{{- $s := .Values.loanRiskModel.serving }}
{{- if and (not (kindIs "invalid" $s.minReplicas)) (not (kindIs "invalid" $s.maxReplicas)) (lt (int $s.maxReplicas) (int $s.minReplicas)) }}
{{- fail (printf "loanRiskModel.serving.maxReplicas (%v) must be at least loanRiskModel.serving.minReplicas (%v)" $s.maxReplicas $s.minReplicas) }}
{{- end }}
{{- $a := .Values.worker.autoscaling }}
{{- if lt (int $a.maxReplicas) (int $a.minReplicas) }}
{{- fail (printf "worker.autoscaling.maxReplicas (%v) must be at least worker.autoscaling.minReplicas (%v)" $a.maxReplicas $a.minReplicas) }}
{{- end }}
{{- $auth := .Values.loanRiskModel.auth }}
{{- if and .Values.loanRiskModel.enabled $auth.enabled (not (or $auth.jwt.jwksUrl (include "loan-risk.apiKeysSecretName" .))) }}
{{- fail "loanRiskModel.auth.enabled needs loanRiskModel.auth.jwt.jwksUrl or an API keys Secret (loanRiskModel.auth.apiKeys.existingSecret or .keys)" }}
{{- end }}
{{- if and $auth.jwt.jwksUrl (not (and $auth.jwt.issuer $auth.jwt.audience)) }}
{{- fail "loanRiskModel.auth.jwt.jwksUrl needs loanRiskModel.auth.jwt.issuer and .audience: a token for another audience must not be accepted" }}
{{- end }}
{{- if and .Values.operator.podDisruptionBudget.enabled (ge (int .Values.operator.podDisruptionBudget.minAvailable) (int .Values.operator.replicas)) }}
{{- fail "operator.podDisruptionBudget.minAvailable must be below operator.replicas, or no node could ever be drained" }}
{{- end }}
{{- end }}

{{/* The Secret holding the Redis password (key `password`). */}}
{{- define "loan-risk.redis.authSecret" -}}
{{- default (printf "%s-auth" (include "loan-risk.redis.fullname" .)) .Values.redis.auth.existingSecret }}
{{- end }}

{{/*
REDIS_PASSWORD for a Redis client container (the API and the worker merge it into REDIS_URL);
nothing when auth is off. Call with the root context; indent with nindent.
*/}}
{{- define "loan-risk.redisPasswordEnv" -}}
{{- if .Values.redis.auth.enabled -}}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "loan-risk.redis.authSecret" . }}
      key: password
{{- end }}
{{- end }}

{{/*
Namespaces the monitoring objects watch, joined by "|" (a PromQL regex as it is): the release's,
the operator's watched namespace (where its LoanRiskModels' API pods run) and any extra ones.
*/}}
{{- define "loan-risk.monitoredNamespaces" -}}
{{- $namespaces := list .Release.Namespace }}
{{- with .Values.operator.watchNamespace }}{{ $namespaces = append $namespaces . }}{{ end }}
{{- concat $namespaces .Values.monitoring.podMonitor.extraNamespaces | uniq | join "|" }}
{{- end }}

{{/*
The entries of a dict that are set, as YAML (empty when none is): a LoanRiskModel field left null
in the values is not rendered, so the API server fills in the CRD's default.
*/}}
{{- define "loan-risk.setFields" -}}
{{- $set := dict }}
{{- range $key, $value := . }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $set $key $value }}
{{- end }}
{{- end }}
{{- if $set }}
{{- toYaml $set }}
{{- end }}
{{- end }}

{{/*
A Kubernetes memory quantity (256Mi, 1.5Gi, 1G, 2e9, 268435456) in bytes; fails naming `what` for a
form it does not read (milli-bytes, a negative exponent). Call with (dict "quantity" q "what" "redis.resources.limits.memory").
*/}}
{{- define "loan-risk.quantityBytes" -}}
{{- if not (kindIs "string" .quantity) }}
{{- /* A bare number in YAML: bytes (Helm reads it as a float64). */}}
{{- .quantity | int64 }}
{{- else if regexMatch "^[0-9]+(\\.[0-9]+)?[eE]\\+?[0-9]+$" .quantity }}
{{- float64 .quantity | floor | int64 }}
{{- else }}
{{- $q := .quantity }}
{{- $units := dict "" 1 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "P" 1000000000000000 }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $q }}
{{- $unit := trimPrefix $number $q }}
{{- if or (not $number) (not (hasKey $units $unit)) }}
{{- fail (printf "%s: cannot read %q as bytes (write it as 256Mi, 1Gi, 1G or a number of bytes)" .what $q) }}
{{- end }}
{{- mulf $number (get $units $unit) | floor | int64 }}
{{- end }}
{{- end }}

{{/*
Redis' --maxmemory: a share of the container's memory limit ("80%"), in bytes, or redis.maxmemory as
Redis reads it ("800mb", "0" for none).
*/}}
{{- define "loan-risk.redis.maxmemory" -}}
{{- $max := toString .Values.redis.maxmemory }}
{{- if hasSuffix "%" $max }}
{{- $limit := dig "limits" "memory" "" .Values.redis.resources }}
{{- if not $limit }}
{{- fail (printf "redis.maxmemory %s is a share of redis.resources.limits.memory, which is not set: set a memory limit, or redis.maxmemory to a size such as 800mb" $max) }}
{{- end }}
{{- $bytes := include "loan-risk.quantityBytes" (dict "quantity" $limit "what" "redis.resources.limits.memory") | int64 }}
{{- div (mul $bytes (trimSuffix "%" $max | int64)) 100 }}
{{- else }}
{{- $max }}
{{- end }}
{{- end }}
