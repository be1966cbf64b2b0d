package k8s_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	kyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

const (
	namespace     = "veikart"
	app           = "veikart"
	keysSecret    = "veikart-keys"
	envSecret     = "veikart-env"
	exampleFile   = "secret.example.yaml"
	kustomizeFile = "kustomization.yaml"
)

// decoder decodes YAML into the API types of the kinds these manifests may
// use, strictly: a field the type does not have, a field given twice, or a
// value of the wrong type is an error, as it is for the API server. A kind
// not registered here (a typo, or a custom resource) is an error too.
func decoder(tb testing.TB) runtime.Decoder {
	tb.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, networkingv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			tb.Fatal(err)
		}
	}
	return kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Yaml: true, Strict: true})
}

type object struct {
	file string
	obj  runtime.Object
}

// decodeAll decodes every document of a YAML stream.
func decodeAll(dec runtime.Decoder, file string, r io.Reader) ([]object, error) {
	var out []object
	docs := kyaml.NewYAMLReader(bufio.NewReader(r))
	for i := 1; ; i++ {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, _, err := dec.Decode(doc, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i, err)
		}
		out = append(out, object{file: file, obj: obj})
	}
}

func stripComments(doc []byte) []byte {
	return regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAll(doc, nil)
}

// manifestFiles are the Kubernetes manifests: every YAML file but the
// kustomization.
func manifestFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return f == kustomizeFile })
	if len(files) == 0 {
		tb.Fatal("no manifests")
	}
	return files
}

func mustLoad(tb testing.TB) []object {
	tb.Helper()
	dec := decoder(tb)
	var all []object
	for _, f := range manifestFiles(tb) {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		objs, err := decodeAll(dec, f, bytes.NewReader(b))
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, objs...)
	}
	return all
}

// all returns the objects of type T, from the applied files (not the
// example Secret) unless withExample.
func all[T runtime.Object](objs []object, withExample bool) []T {
	var out []T
	for _, o := range objs {
		if t, ok := o.obj.(T); ok && (withExample || o.file != exampleFile) {
			out = append(out, t)
		}
	}
	return out
}

func one[T runtime.Object](tb testing.TB, objs []object) T {
	tb.Helper()
	got := all[T](objs, false)
	if len(got) != 1 {
		var zero T
		tb.Fatalf("%d objects of type %T, want one", len(got), zero)
	}
	return got[0]
}

// TestDecoderIsStrict shows the decoder refuses what the API server would,
// so that the manifests passing it means something.
func TestDecoderIsStrict(t *testing.T) {
	dec := decoder(t)
	const head = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n"
	for name, doc := range map[string]string{
		"UnknownField":     head + "spec:\n  replica: 2\n",
		"WrongType":        head + "spec:\n  replicas: two\n",
		"DuplicateField":   head + "spec:\n  replicas: 2\n  replicas: 3\n",
		"UnknownKind":      "apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: x\n",
		"CustomResource":   "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: x\n",
		"NestedUnknown":    head + "spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: b\n          securityContext:\n            readOnlyRootFS: true\n",
		"PortAsWrongType":  head + "spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: b\n          ports:\n            - containerPort: [8080]\n",
		"MissingTypeMeta":  "metadata:\n  name: x\n",
		"SecretBadBase64":  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  k: '!!!'\n",
		"LowercaseKindApp": "apiVersion: apps/v1\nkind: deployment\nmetadata:\n  name: x\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeAll(dec, name, strings.NewReader(doc)); err == nil {
				t.Errorf("decoded without an error:\n%s", doc)
			}
		})
	}
}

func TestKustomization(t *testing.T) {
	b, err := os.ReadFile(kustomizeFile)
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Namespace  string           `json:"namespace"`
		Resources  []string         `json:"resources"`
		Images     []kustomizeImage `json:"images"`
	}
	if err := yaml.UnmarshalStrict(b, &k); err != nil {
		t.Fatalf("%s: %v", kustomizeFile, err)
	}
	if k.Kind != "Kustomization" || k.Namespace != namespace {
		t.Errorf("%s: kind %q namespace %q", kustomizeFile, k.Kind, k.Namespace)
	}
	want := slices.DeleteFunc(manifestFiles(t), func(f string) bool { return f == exampleFile })
	got := slices.Sorted(slices.Values(k.Resources))
	if !slices.Equal(got, want) {
		t.Errorf("%s lists %v, want every manifest but the example Secret: %v", kustomizeFile, got, want)
	}
	d := one[*appsv1.Deployment](t, mustLoad(t))
	tags := map[string]bool{}
	for _, c := range append(d.Spec.Template.Spec.InitContainers, d.Spec.Template.Spec.Containers...) {
		name, _, _ := strings.Cut(c.Image, ":")
		i := slices.IndexFunc(k.Images, func(im kustomizeImage) bool { return im.Name == name })
		if i < 0 {
			t.Errorf("%s does not set the image %s", kustomizeFile, name)
			continue
		}
		tags[k.Images[i].NewTag+k.Images[i].Digest] = true
	}
	if len(tags) != 1 {
		t.Errorf("%s sets the images to different versions %v; the init image must match the server", kustomizeFile, tags)
	}
}

// kustomizeImage is one entry of a kustomization's images.
type kustomizeImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName,omitempty"`
	NewTag  string `json:"newTag,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

func TestManifests(t *testing.T) {
	objs := mustLoad(t)
	deploy := one[*appsv1.Deployment](t, objs)
	pod := deploy.Spec.Template
	cm := one[*corev1.ConfigMap](t, objs)
	hpa := one[*autoscalingv2.HorizontalPodAutoscaler](t, objs)
	main := container(t, pod.Spec.Containers, app)

	t.Run("Namespaced", func(t *testing.T) {
		ns := one[*corev1.Namespace](t, objs)
		if ns.Name != namespace || ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("namespace %s, pod security %q; want %s, restricted", ns.Name, ns.Labels["pod-security.kubernetes.io/enforce"], namespace)
		}
		for _, o := range objs {
			m, err := metaOf(o.obj)
			if err != nil {
				t.Fatal(err)
			}
			if _, isNS := o.obj.(*corev1.Namespace); !isNS && m.GetNamespace() != namespace {
				t.Errorf("%s: %s is in namespace %q, want %q", o.file, m.GetName(), m.GetNamespace(), namespace)
			}
			for _, msg := range validation.IsDNS1123Subdomain(m.GetName()) {
				t.Errorf("%s: name %q: %s", o.file, m.GetName(), msg)
			}
		}
	})

	t.Run("NonRoot", func(t *testing.T) {
		psc := pod.Spec.SecurityContext
		if psc == nil || !isTrue(psc.RunAsNonRoot) || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
			t.Fatal("pod securityContext: want runAsNonRoot and a non-zero runAsUser")
		}
		if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Error("pod seccompProfile is not RuntimeDefault")
		}
		if pod.Spec.AutomountServiceAccountToken == nil || *pod.Spec.AutomountServiceAccountToken {
			t.Error("the pod mounts a service account token it never uses")
		}
		for _, c := range append(slices.Clone(pod.Spec.InitContainers), pod.Spec.Containers...) {
			sc := c.SecurityContext
			switch {
			case sc == nil:
				t.Errorf("container %s: no securityContext", c.Name)
			case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
				t.Errorf("container %s: privilege escalation allowed", c.Name)
			case !isTrue(sc.ReadOnlyRootFilesystem):
				t.Errorf("container %s: root filesystem writable", c.Name)
			case isTrue(sc.Privileged):
				t.Errorf("container %s: privileged", c.Name)
			case sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0:
				t.Errorf("container %s: capabilities not all dropped", c.Name)
			case sc.RunAsUser != nil && *sc.RunAsUser == 0:
				t.Errorf("container %s: runs as root", c.Name)
			}
		}
	})

	t.Run("Images", func(t *testing.T) {
		versions := map[string]bool{}
		for _, c := range append(slices.Clone(pod.Spec.InitContainers), pod.Spec.Containers...) {
			_, tag, ok := strings.Cut(c.Image[strings.LastIndex(c.Image, "/")+1:], ":")
			if !ok || tag == "" || tag == "latest" {
				t.Errorf("container %s: image %q has no version", c.Name, c.Image)
			}
			versions[tag] = true
		}
		if len(versions) != 1 {
			t.Errorf("images at versions %v: the init image must be the server's version", slices.Sorted(maps.Keys(versions)))
		}
	})

	t.Run("Probes", func(t *testing.T) {
		httpPort := containerPort(t, main, "http")
		if want := addrPort(t, cm.Data["VEIKART_ADDR"]); httpPort != want {
			t.Errorf("containerPort http %d, but VEIKART_ADDR listens on %d", httpPort, want)
		}
		if want := addrPort(t, cm.Data["VEIKART_METRICS_ADDR"]); containerPort(t, main, "metrics") != want {
			t.Errorf("containerPort metrics is not VEIKART_METRICS_ADDR's port %d", want)
		}
		for _, p := range []struct {
			name  string
			probe *corev1.Probe
			path  string
		}{
			{"liveness", main.LivenessProbe, "/health/live"},
			{"readiness", main.ReadinessProbe, "/health/ready"},
			{"startup", main.StartupProbe, "/health/live"},
		} {
			if p.probe == nil || p.probe.HTTPGet == nil {
				t.Errorf("%s probe: none, or not HTTP", p.name)
				continue
			}
			if p.probe.HTTPGet.Path != p.path {
				t.Errorf("%s probe: path %s, want %s", p.name, p.probe.HTTPGet.Path, p.path)
			}
			if port := resolvePort(t, main, p.probe.HTTPGet.Port); port != httpPort {
				t.Errorf("%s probe: port %d, want the API's %d", p.name, port, httpPort)
			}
		}
	})

	t.Run("Resources", func(t *testing.T) {
		for _, c := range append(slices.Clone(pod.Spec.InitContainers), pod.Spec.Containers...) {
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, hasReq := c.Resources.Requests[r]
				lim, hasLim := c.Resources.Limits[r]
				if !hasReq || !hasLim {
					t.Errorf("container %s: %s request or limit missing", c.Name, r)
				} else if req.Cmp(lim) > 0 {
					t.Errorf("container %s: %s request %s above limit %s", c.Name, r, req.String(), lim.String())
				}
			}
		}
		// GOMEMLIMIT below the memory limit: the runtime collects before
		// the kernel kills.
		for _, e := range main.Env {
			if e.Name == "GOMEMLIMIT" {
				soft := resource.MustParse(strings.TrimSuffix(e.Value, "B"))
				if lim := main.Resources.Limits[corev1.ResourceMemory]; soft.Cmp(lim) >= 0 {
					t.Errorf("GOMEMLIMIT %s is not below the memory limit %s", e.Value, lim.String())
				}
			}
		}
	})

	t.Run("ConfigAndSecretsReferenced", func(t *testing.T) {
		documented := map[string]bool{}
		for _, s := range all[*corev1.Secret](objs, true) {
			documented[s.Name] = true
		}
		var cmRef, secretRef bool
		for _, ef := range main.EnvFrom {
			if ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == cm.Name {
				cmRef = true
			}
			if ef.SecretRef != nil {
				secretRef = ef.SecretRef.Name == envSecret
				if !documented[ef.SecretRef.Name] {
					t.Errorf("envFrom Secret %s is not documented in %s", ef.SecretRef.Name, exampleFile)
				}
			}
		}
		if !cmRef || !secretRef {
			t.Errorf("the container does not take its environment from ConfigMap %s and Secret %s", cm.Name, envSecret)
		}
		secretish := regexp.MustCompile(`SECRET|PASSWORD|TOKEN|MONGODB_URI`)
		for k := range cm.Data {
			for _, msg := range validation.IsEnvVarName(k) {
				t.Errorf("ConfigMap key %s: %s", k, msg)
			}
			if secretish.MatchString(k) {
				t.Errorf("ConfigMap holds %s, which belongs in the Secret %s", k, envSecret)
			}
		}
		for _, e := range main.Env {
			if secretish.MatchString(e.Name) && e.Value != "" {
				t.Errorf("env %s is written into the Deployment", e.Name)
			}
		}
		if _, err := url.Parse(cm.Data["VEIKART_PUBLIC_URL"]); err != nil || !strings.HasPrefix(cm.Data["VEIKART_PUBLIC_URL"], "https://") {
			t.Errorf("VEIKART_PUBLIC_URL %q is not an https URL", cm.Data["VEIKART_PUBLIC_URL"])
		}
		for _, p := range strings.Split(cm.Data["VEIKART_TRUSTED_PROXIES"], ",") {
			if _, _, err := net.ParseCIDR(strings.TrimSpace(p)); err != nil && net.ParseIP(strings.TrimSpace(p)) == nil {
				t.Errorf("VEIKART_TRUSTED_PROXIES: %q is not an address or a range", p)
			}
		}
	})

	t.Run("SecretsNeverInlined", func(t *testing.T) {
		for _, o := range objs {
			if s, ok := o.obj.(*corev1.Secret); ok && (len(s.Data) > 0 || len(s.StringData) > 0) {
				t.Errorf("%s: Secret %s holds data; make it with kubectl from files (see %s)", o.file, s.Name, exampleFile)
			}
		}
		for _, name := range []string{envSecret, keysSecret} {
			if !slices.ContainsFunc(all[*corev1.Secret](objs, true), func(s *corev1.Secret) bool { return s.Name == name }) {
				t.Errorf("%s does not document the Secret %s", exampleFile, name)
			}
		}
		if got := all[*corev1.Secret](objs, false); len(got) > 0 {
			t.Errorf("Secrets outside %s: %d", exampleFile, len(got))
		}
	})

	t.Run("KeysFromSecretCopiedReadOnly", func(t *testing.T) {
		// The keys directory is the same on every replica: the Secret
		// veikart-keys, copied by the init container into memory with mode
		// 0600 and mounted read-only where VEIKART_KEYS_DIR points.
		dir := cm.Data["VEIKART_KEYS_DIR"]
		m, ok := mountAt(main, dir)
		if !ok || !m.ReadOnly {
			t.Fatalf("VEIKART_KEYS_DIR %q is not a read-only mount of the container", dir)
		}
		keys := volume(t, pod.Spec, m.Name)
		if keys.EmptyDir == nil || keys.EmptyDir.Medium != corev1.StorageMediumMemory {
			t.Errorf("volume %s: want an emptyDir in memory", keys.Name)
		}
		init := container(t, pod.Spec.InitContainers, "keys")
		if len(init.Args) != 3 || init.Args[0] != "copy" {
			t.Fatalf("init container keys: args %v, want copy SRC DST", init.Args)
		}
		src, ok1 := mountAt(init, init.Args[1])
		dst, ok2 := mountAt(init, init.Args[2])
		if !ok1 || !ok2 || dst.Name != keys.Name || dst.ReadOnly {
			t.Fatalf("init container keys does not copy into volume %s: mounts %v", keys.Name, init.VolumeMounts)
		}
		secret := volume(t, pod.Spec, src.Name)
		if secret.Secret == nil || secret.Secret.SecretName != keysSecret {
			t.Fatalf("init container keys copies from %s, not the Secret %s", src.Name, keysSecret)
		}
		if secret.Secret.DefaultMode == nil || *secret.Secret.DefaultMode&0o007 != 0 {
			t.Errorf("Secret %s is readable by others in the pod", keysSecret)
		}
		if psc := pod.Spec.SecurityContext; psc.FSGroup == nil || psc.RunAsGroup == nil || *psc.FSGroup != *psc.RunAsGroup {
			t.Error("fsGroup is not the user's group: the non-root init container could not read the Secret")
		}
	})

	t.Run("Replicas", func(t *testing.T) {
		if r := deploy.Spec.Replicas; r != nil && *r < 2 {
			t.Errorf("Deployment replicas %d, want 2 or more", *r)
		}
		ref := hpa.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.Name != deploy.Name || ref.APIVersion != "apps/v1" {
			t.Errorf("HPA scales %+v, not the Deployment", ref)
		}
		if hpa.Spec.MinReplicas == nil {
			t.Fatal("HPA has no minReplicas (the default, 1, leaves no replica during a restart)")
		}
		if lo, hi := *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas; lo < 2 || hi <= lo {
			t.Errorf("HPA bounds %d..%d: want at least 2, and room to grow", lo, hi)
		}
		cpu := slices.IndexFunc(hpa.Spec.Metrics, func(m autoscalingv2.MetricSpec) bool {
			return m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Name == corev1.ResourceCPU &&
				m.Resource.Target.Type == autoscalingv2.UtilizationMetricType && m.Resource.Target.AverageUtilization != nil &&
				*m.Resource.Target.AverageUtilization > 0 && *m.Resource.Target.AverageUtilization < 100
		})
		if cpu < 0 {
			t.Error("HPA does not scale on CPU utilization")
		}
		if _, ok := main.Resources.Requests[corev1.ResourceCPU]; !ok {
			t.Error("no CPU request: CPU utilization has nothing to be a share of")
		}
		ru := deploy.Spec.Strategy.RollingUpdate
		if deploy.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
			t.Error("a rolling update may take replicas away before new ones are ready (maxUnavailable is not 0)")
		}
	})

	t.Run("DisruptionBudget", func(t *testing.T) {
		pdb := one[*policyv1.PodDisruptionBudget](t, objs)
		if !selects(pdb.Spec.Selector, pod.Labels) {
			t.Error("the PodDisruptionBudget does not select the pods")
		}
		floor := pdb.Spec.MinAvailable
		if floor == nil || floor.Type != intstr.Int || floor.IntValue() < 1 {
			t.Fatalf("minAvailable %v: want a number of pods, 1 or more", floor)
		}
		if floor.IntValue() >= int(*hpa.Spec.MinReplicas) {
			t.Errorf("minAvailable %d with as few as %d replicas: a drain could never evict one", floor.IntValue(), *hpa.Spec.MinReplicas)
		}
	})

	t.Run("Service", func(t *testing.T) {
		svc := one[*corev1.Service](t, objs)
		for k, v := range svc.Spec.Selector {
			if pod.Labels[k] != v {
				t.Errorf("the Service selects %s=%s, which the pods do not have", k, v)
			}
		}
		for _, p := range svc.Spec.Ports {
			resolvePort(t, main, p.TargetPort)
			for _, msg := range validation.IsValidPortName(p.Name) {
				t.Errorf("Service port %q: %s", p.Name, msg)
			}
		}
		if !selects(deploy.Spec.Selector, pod.Labels) {
			t.Error("the Deployment's selector does not match its pod template")
		}
	})

	t.Run("IngressTLS", func(t *testing.T) {
		ing := one[*networkingv1.Ingress](t, objs)
		svc := one[*corev1.Service](t, objs)
		public, err := url.Parse(cm.Data["VEIKART_PUBLIC_URL"])
		if err != nil {
			t.Fatal(err)
		}
		var tlsHosts []string
		for _, tls := range ing.Spec.TLS {
			if tls.SecretName == "" {
				t.Error("Ingress TLS entry without a certificate Secret")
			}
			tlsHosts = append(tlsHosts, tls.Hosts...)
		}
		if len(ing.Spec.Rules) == 0 {
			t.Fatal("Ingress has no rules")
		}
		for _, r := range ing.Spec.Rules {
			if !slices.Contains(tlsHosts, r.Host) {
				t.Errorf("Ingress host %s is served without TLS", r.Host)
			}
			if r.Host != public.Hostname() {
				t.Errorf("Ingress host %s is not VEIKART_PUBLIC_URL's %s", r.Host, public.Hostname())
			}
			for _, p := range r.HTTP.Paths {
				b := p.Backend.Service
				if b == nil || b.Name != svc.Name || !slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Name == b.Port.Name && sp.Port != 9464 }) {
					t.Errorf("Ingress path %s does not go to the Service's http port", p.Path)
				}
			}
		}
	})

	t.Run("NetworkPolicy", func(t *testing.T) {
		nps := all[*networkingv1.NetworkPolicy](objs, false)
		denyAll := slices.ContainsFunc(nps, func(np *networkingv1.NetworkPolicy) bool {
			return len(np.Spec.PodSelector.MatchLabels) == 0 && len(np.Spec.PodSelector.MatchExpressions) == 0 &&
				len(np.Spec.Ingress) == 0 && len(np.Spec.Egress) == 0 &&
				slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) && slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		})
		if !denyAll {
			t.Error("no default-deny NetworkPolicy for the namespace")
		}
		i := slices.IndexFunc(nps, func(np *networkingv1.NetworkPolicy) bool {
			return selects(&np.Spec.PodSelector, pod.Labels) && len(np.Spec.PodSelector.MatchLabels) > 0
		})
		if i < 0 {
			t.Fatal("no NetworkPolicy selects the API pods")
		}
		np := nps[i]
		wantFrom := map[int]string{8080: "ingress-nginx", 9464: "monitoring"}
		seen := map[int]bool{}
		for _, rule := range np.Spec.Ingress {
			if len(rule.From) == 0 {
				t.Error("an ingress rule admits every source")
			}
			for _, p := range rule.Ports {
				port := p.Port.IntValue()
				want, ok := wantFrom[port]
				if !ok {
					t.Errorf("ingress admits port %d", port)
					continue
				}
				seen[port] = true
				for _, peer := range rule.From {
					if peer.IPBlock != nil || peer.NamespaceSelector == nil || peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != want {
						t.Errorf("port %d is open to %+v; only the namespace %s should reach it", port, peer, want)
					}
				}
			}
			if len(rule.Ports) == 0 {
				t.Error("an ingress rule admits every port")
			}
		}
		for port := range wantFrom {
			if !seen[port] {
				t.Errorf("no ingress rule for port %d", port)
			}
		}
		egress := map[int]bool{}
		for _, rule := range np.Spec.Egress {
			if len(rule.Ports) == 0 {
				t.Error("an egress rule allows every port")
			}
			for _, p := range rule.Ports {
				egress[p.Port.IntValue()] = true
			}
		}
		for _, port := range []int{53, 27017, 443} {
			if !egress[port] {
				t.Errorf("no egress to port %d", port)
			}
		}
		for port := range egress {
			if !slices.Contains([]int{53, 27017, 443}, port) {
				t.Errorf("egress to port %d, which the API never needs", port)
			}
		}
	})

	t.Run("Names", func(t *testing.T) {
		for _, c := range append(slices.Clone(pod.Spec.InitContainers), pod.Spec.Containers...) {
			for _, msg := range validation.IsDNS1123Label(c.Name) {
				t.Errorf("container %q: %s", c.Name, msg)
			}
			for _, p := range c.Ports {
				for _, msg := range validation.IsValidPortName(p.Name) {
					t.Errorf("container %s port %q: %s", c.Name, p.Name, msg)
				}
			}
		}
	})
}

func metaOf(o runtime.Object) (metav1.Object, error) {
	m, ok := o.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T has no object metadata", o)
	}
	return m, nil
}

func container(tb testing.TB, cs []corev1.Container, name string) corev1.Container {
	tb.Helper()
	i := slices.IndexFunc(cs, func(c corev1.Container) bool { return c.Name == name })
	if i < 0 {
		tb.Fatalf("no container %s", name)
	}
	return cs[i]
}

func volume(tb testing.TB, spec corev1.PodSpec, name string) corev1.Volume {
	tb.Helper()
	i := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == name })
	if i < 0 {
		tb.Fatalf("no volume %s", name)
	}
	return spec.Volumes[i]
}

func mountAt(c corev1.Container, path string) (corev1.VolumeMount, bool) {
	i := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == path })
	if i < 0 {
		return corev1.VolumeMount{}, false
	}
	return c.VolumeMounts[i], true
}

func containerPort(tb testing.TB, c corev1.Container, name string) int {
	tb.Helper()
	return resolvePort(tb, c, intstr.FromString(name))
}

// resolvePort turns a port given by name or number into the container's
// port number, failing if the container does not declare it.
func resolvePort(tb testing.TB, c corev1.Container, p intstr.IntOrString) int {
	tb.Helper()
	i := slices.IndexFunc(c.Ports, func(cp corev1.ContainerPort) bool {
		if p.Type == intstr.String {
			return cp.Name == p.StrVal
		}
		return int(cp.ContainerPort) == p.IntValue()
	})
	if i < 0 {
		tb.Fatalf("container %s declares no port %s", c.Name, p.String())
	}
	return int(c.Ports[i].ContainerPort)
}

func addrPort(tb testing.TB, addr string) int {
	tb.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatalf("address %q: %v", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// selects reports whether sel selects pods with these labels (an empty
// selector selects all).
func selects(sel *metav1.LabelSelector, podLabels map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(podLabels))
}

func isTrue(b *bool) bool { return b != nil && *b }
