// Package deploy holds no code: its tests check the deployment artifacts
// beside them (the Dockerfile and .dockerignore, the compose file, the
// keys init script; the Kubernetes manifests are checked in k8s/) on a
// machine with no Docker engine and no cluster. scripts/deploy-check.sh runs
// them with the linters that need no Go.
package deploy
