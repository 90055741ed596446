package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/latchkey/latchkey/internal/kubernetes"
	"github.com/latchkey/latchkey/internal/relying"
	"github.com/latchkey/latchkey/internal/server"
)

// Integrations are the hooks other systems call, each off unless
// configured: Kubernetes' webhook token authentication and MinIO's
// access-management plugin.
type Integrations struct {
	// KubernetesClusterID and KubernetesMapping, given together, serve
	// the webhook; KubernetesBearerToken is the token kube-apiserver
	// presents.
	KubernetesClusterID   string
	KubernetesMapping     *kubernetes.Mapping
	KubernetesBearerToken string
	// MinIOBearerToken, when set, serves MinIO's plugin.
	MinIOBearerToken string
}

// IntegrationFiles name the integrations' settings as `latchkey serve`
// takes them.
type IntegrationFiles struct {
	KubernetesClusterID        string
	KubernetesMappingFile      string
	KubernetesWebhookTokenFile string
	MinIOPluginTokenFile       string
}

// LoadIntegrations reads the files f names. The Kubernetes webhook needs
// its cluster id, mapping and bearer token file together; a mapping that
// does not parse, or an empty token file, stops the server from starting.
func LoadIntegrations(f IntegrationFiles) (Integrations, error) {
	var in Integrations
	k := f.KubernetesClusterID != "" || f.KubernetesMappingFile != "" || f.KubernetesWebhookTokenFile != ""
	if k {
		if f.KubernetesClusterID == "" || f.KubernetesMappingFile == "" || f.KubernetesWebhookTokenFile == "" {
			return in, errors.New("--kubernetes-cluster-id, --kubernetes-mapping and --kubernetes-webhook-token-file go together")
		}
		m, err := kubernetes.LoadMapping(f.KubernetesMappingFile)
		if err != nil {
			return in, fmt.Errorf("--kubernetes-mapping: %w", err)
		}
		tok, err := readToken(f.KubernetesWebhookTokenFile)
		if err != nil {
			return in, fmt.Errorf("--kubernetes-webhook-token-file: %w", err)
		}
		in.KubernetesClusterID, in.KubernetesMapping, in.KubernetesBearerToken = f.KubernetesClusterID, m, tok
	}
	if f.MinIOPluginTokenFile != "" {
		tok, err := readToken(f.MinIOPluginTokenFile)
		if err != nil {
			return in, fmt.Errorf("--minio-plugin-token-file: %w", err)
		}
		in.MinIOBearerToken = tok
	}
	return in, nil
}

// readToken reads a bearer token file: its content without surrounding
// white space, which must not be empty.
func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return tok, nil
}

// handlers are the configured integrations' handlers by path prefix.
func (in Integrations) handlers(auth *server.Authenticator, rel *relying.Handler, log *slog.Logger) map[string]http.Handler {
	out := map[string]http.Handler{}
	if in.KubernetesMapping != nil {
		out[kubernetes.Prefix] = &kubernetes.Handler{Auth: auth, ClusterID: in.KubernetesClusterID, Mapping: in.KubernetesMapping,
			BearerToken: in.KubernetesBearerToken, Logger: log}
	}
	if in.MinIOBearerToken != "" {
		out[relying.MinIOPath] = &relying.MinIO{Relying: rel, BearerToken: in.MinIOBearerToken}
	}
	return out
}
