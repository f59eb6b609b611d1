{{/* Names ------------------------------------------------------------------------------- */}}

{{- define "ddisync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ddisync.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ddisync.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "ddisync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ddisync.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ddisync.commonLabels" -}}
helm.sh/chart: {{ include "ddisync.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ddisync
{{- end }}

{{- define "ddisync.labels" -}}
{{ include "ddisync.commonLabels" . }}
{{ include "ddisync.selectorLabels" . }}
{{- end }}

{{- define "ddisync.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "ddisync.secretName" -}}
{{- default (include "ddisync.fullname" .) .Values.wapi.existingSecret.name }}
{{- end }}

{{/* The credentials Secret of an instance's default grid, and its two keys: the shard's own
existingSecret, else the release's (existing, or created by the chart). Input: dict root, wapi. */}}
{{- define "ddisync.credentials" -}}
{{- $existing := .wapi.existingSecret | default dict }}
{{- if $existing.name }}
name: {{ $existing.name }}
usernameKey: {{ $existing.usernameKey | default "username" }}
passwordKey: {{ $existing.passwordKey | default "password" }}
{{- else }}
name: {{ include "ddisync.secretName" .root }}
usernameKey: username
passwordKey: password
{{- end }}
{{- end }}

{{/* Instances --------------------------------------------------------------------------------
One operator Deployment per instance. Without shards there is one instance configured by
`watch`; with shards, one per shard. Every other template (ServiceAccount, RBAC, Deployment)
iterates over this list, so RBAC always follows what each instance actually watches.
Output: YAML {instances: [{name, shard, serviceAccount, namespaces, labelSelector, resources,
clusterId, wapi}]}: `wapi` is the top-level one with the shard's overrides (its default grid).
The instance's name is also its Lease's: the replicas of one Deployment compete for it.
Checks here (not expressible in the JSON schema): unique shard names, no namespace in two
shards, `watch` left empty when shards are used.
*/}}
{{- define "ddisync.instances" -}}
{{- $fullname := include "ddisync.fullname" . }}
{{- $saBase := default (ternary $fullname "default" .Values.serviceAccount.create) .Values.serviceAccount.name }}
{{- $instances := list }}
{{- if .Values.shards }}
{{- if or .Values.watch.namespaces .Values.watch.labelSelector }}
{{- fail "watch.namespaces / watch.labelSelector apply to the single instance; with shards, set namespaces / labelSelector on each shard" }}
{{- end }}
{{- $seenNames := dict }}
{{- $seenNamespaces := dict }}
{{- range .Values.shards }}
{{- if hasKey $seenNames .name }}
{{- fail (printf "shards: name %q is used twice" .name) }}
{{- end }}
{{- $_ := set $seenNames .name true }}
{{- $shard := .name }}
{{- range (.namespaces | default list) }}
{{- if hasKey $seenNamespaces . }}
{{- fail (printf "shards: namespace %q is in shards %q and %q; shards must be disjoint" . (get $seenNamespaces .) $shard) }}
{{- end }}
{{- $_ := set $seenNamespaces . $shard }}
{{- end }}
{{- $sa := ternary (printf "%s-%s" $saBase .name) $saBase $.Values.serviceAccount.create }}
{{- $wapi := mergeOverwrite (deepCopy $.Values.wapi) (deepCopy (.wapi | default dict)) }}
{{- if and .wapi (hasKey .wapi "caBundle") }}
{{- $_ := set $wapi "caBundle" (mergeOverwrite (dict "secretName" "" "configMapName" "" "key" "ca.crt") .wapi.caBundle) }}
{{- end }}
{{- $instances = append $instances (dict
      "name" (printf "%s-%s" $fullname .name | trunc 63 | trimSuffix "-")
      "shard" .name
      "serviceAccount" $sa
      "namespaces" (.namespaces | default list)
      "labelSelector" (.labelSelector | default "")
      "resources" (.resources | default $.Values.resources)
      "clusterId" (.clusterId | default $.Values.clusterId)
      "wapi" $wapi) }}
{{- end }}
{{- else }}
{{- $instances = append $instances (dict
      "name" $fullname
      "shard" ""
      "serviceAccount" $saBase
      "namespaces" .Values.watch.namespaces
      "labelSelector" .Values.watch.labelSelector
      "resources" .Values.resources
      "clusterId" .Values.clusterId
      "wapi" .Values.wapi) }}
{{- end }}
{{- dict "instances" $instances | toYaml }}
{{- end }}

{{/* Labels of one instance's pods; `shard` tells the Deployments of a sharded release apart. */}}
{{- define "ddisync.instanceSelectorLabels" -}}
{{ include "ddisync.selectorLabels" .root }}
app.kubernetes.io/component: operator
{{- if .instance.shard }}
ddisync.io/shard: {{ .instance.shard | quote }}
{{- end }}
{{- end }}

{{/* Total operator pods of the release (the PodDisruptionBudget only makes sense above 1). */}}
{{- define "ddisync.totalReplicas" -}}
{{- $instances := (include "ddisync.instances" . | fromYaml).instances }}
{{- mul (len $instances) (int .Values.replicaCount) }}
{{- end }}

{{/* RBAC rules on our own resources, shared by the ClusterRole and the per-namespace Roles. */}}
{{- define "ddisync.resourceRules" -}}
# One kind a line: every namespaced kind of ddisync.api.crd.KINDS (a test checks it).
- apiGroups: ["ddisync.io"]
  resources:
    - networks
    - records
    - zones
    - fixedaddresses
    - dhcpranges
  verbs: ["get", "list", "watch", "patch"]
# kopf writes status (conditions, observedGeneration, ref) through the status subresource.
- apiGroups: ["ddisync.io"]
  resources:
    - networks/status
    - records/status
    - zones/status
    - fixedaddresses/status
    - dhcpranges/status
  verbs: ["patch"]
# kopf posts core/v1 Events about handler progress and failures on the objects.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/* Secrets InfobloxGrids may name, from tenancy.secrets, merged by namespace (a namespace may
be listed twice; one Role per namespace). Output: YAML {namespace: [sorted unique names]}. */}}
{{- define "ddisync.gridSecrets" -}}
{{- $byNamespace := dict }}
{{- range .Values.tenancy.secrets }}
{{- $namespace := .namespace | default $.Release.Namespace }}
{{- $names := concat (get $byNamespace $namespace | default list) .names }}
{{- $_ := set $byNamespace $namespace ($names | uniq | sortAlpha) }}
{{- end }}
{{- $byNamespace | toYaml }}
{{- end }}
