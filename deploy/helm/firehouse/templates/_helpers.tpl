{{/* Names, labels and the pieces every firehouse container shares. */}}

{{- define "firehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name, at most 63 characters (a DNS label). */}}
{{- define "firehouse.fullname" -}}
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

{{- define "firehouse.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "firehouse.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "firehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "firehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "firehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "firehouse.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "firehouse.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The ConfigMap holding firehouse.yaml, or nothing when no config is given. */}}
{{- define "firehouse.configMapName" -}}
{{- if .Values.config.existingConfigMap }}
{{- .Values.config.existingConfigMap }}
{{- else if .Values.config.inline }}
{{- printf "%s-config" (include "firehouse.fullname" .) }}
{{- end }}
{{- end }}

{{- define "firehouse.configPath" -}}
/etc/firehouse/{{ .Values.config.key }}
{{- end }}

{{/* Variables that hold secrets: refused in `env`, where they would sit in plain text. */}}
{{- define "firehouse.secretVariables" -}}
FIREHOUSE_DATABASE_URL FIREHOUSE_SECRET_KEY FIREHOUSE_SLACK_BOT_TOKEN FIREHOUSE_SLACK_SIGNING_SECRET FIREHOUSE_SMTP_PASSWORD FIREHOUSE_OIDC_CLIENT_SECRET FIREHOUSE_INTAKE_KEY FIREHOUSE_JIRA_TOKEN FIREHOUSE_GITHUB_TOKEN
{{- end }}

{{/* Stop the render with one clear line when the values cannot make a working deployment. */}}
{{- define "firehouse.validate" -}}
{{- $secretNames := splitList " " (include "firehouse.secretVariables" .) }}
{{- range $name, $_ := .Values.env }}
{{- if has $name $secretNames }}
{{- fail (printf "env.%s: a secret; put it in the Secret named by existingSecret (or in secretEnv), not in values" $name) }}
{{- end }}
{{- end }}
{{- $databaseFromSecretEnv := false }}
{{- range .Values.secretEnv }}
{{- if not (and .name .secretName .key) }}
{{- fail "secretEnv: every entry needs name, secretName and key" }}
{{- end }}
{{- if eq .name "FIREHOUSE_DATABASE_URL" }}{{ $databaseFromSecretEnv = true }}{{ end }}
{{- end }}
{{- if not (or .Values.existingSecret $databaseFromSecretEnv) }}
{{- fail "existingSecret: name the Secret holding FIREHOUSE_DATABASE_URL (or give it in secretEnv)" }}
{{- end }}
{{- if and .Values.config.inline .Values.config.existingConfigMap }}
{{- fail "config: give inline or existingConfigMap, not both" }}
{{- end }}
{{- if lt (int .Values.worker.replicas) 1 }}
{{- fail "worker.replicas: at least 1; serve pods leave event delivery to the workers" }}
{{- end }}
{{- end }}

{{/* Rolls the pods when the chart's firehouse.yaml changes. */}}
{{- define "firehouse.configChecksum" -}}
{{- printf "%s/%s" .Values.config.existingConfigMap .Values.config.inline | sha256sum }}
{{- end }}

{{- define "firehouse.envFrom" -}}
{{- with .Values.existingSecret -}}
envFrom:
  - secretRef:
      name: {{ . | quote }}
{{- end }}
{{- end }}

{{/* Environment shared by serve, worker and the migration Job; secrets only by reference. */}}
{{- define "firehouse.env" -}}
- name: FIREHOUSE_LOG_FORMAT
  value: json
{{- with .Values.baseUrl }}
- name: FIREHOUSE_BASE_URL
  value: {{ . | quote }}
{{- end }}
{{- if include "firehouse.configMapName" . }}
- name: FIREHOUSE_CONFIG
  value: {{ include "firehouse.configPath" . | quote }}
{{- end }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- range .Values.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName | quote }}
      key: {{ .key | quote }}
{{- end }}
{{- end }}

{{/* /tmp is the only writable path (the root filesystem is read-only), plus the config. */}}
{{- define "firehouse.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- with include "firehouse.configMapName" . }}
- name: config
  configMap:
    name: {{ . }}
{{- end }}
{{- end }}

{{- define "firehouse.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if include "firehouse.configMapName" . }}
- name: config
  mountPath: /etc/firehouse
  readOnly: true
{{- end }}
{{- end }}
