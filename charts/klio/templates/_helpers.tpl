{{/* The name of the chart's objects: the release name, with "klio" when it lacks it. */}}
{{- define "klio.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "klio" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-klio" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "klio.labels" -}}
app.kubernetes.io/name: klio-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "klio.selectorLabels" -}}
app.kubernetes.io/name: klio-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "klio.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "klio.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "klio.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The plugin Service, which CloudNativePG dials, and the Secrets of its mutual TLS. */}}
{{- define "klio.pluginServiceName" -}}
{{- default (printf "%s-plugin" (include "klio.fullname" .)) .Values.plugin.service.name -}}
{{- end -}}

{{- define "klio.pluginServerSecret" -}}
{{- default (printf "%s-plugin-server-tls" (include "klio.fullname" .)) .Values.plugin.tls.serverSecret -}}
{{- end -}}

{{- define "klio.pluginClientSecret" -}}
{{- default (printf "%s-plugin-client-tls" (include "klio.fullname" .)) .Values.plugin.tls.clientSecret -}}
{{- end -}}

{{- define "klio.pluginDnsNames" -}}
{{- $svc := include "klio.pluginServiceName" . -}}
- {{ $svc }}
- {{ $svc }}.{{ .Release.Namespace }}
- {{ $svc }}.{{ .Release.Namespace }}.svc
- {{ $svc }}.{{ .Release.Namespace }}.svc.{{ .Values.clusterDomain }}
{{- end -}}
