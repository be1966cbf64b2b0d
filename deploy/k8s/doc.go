// Package k8s holds the Kubernetes manifests (apply with kubectl apply -k);
// no code. Its test decodes every manifest strictly against the Kubernetes
// API types (unknown fields and wrong types fail, as the API server would
// refuse them) and checks what matters: non-root, probes, budgets, network
// policy, secrets referenced and never inlined.
package k8s
