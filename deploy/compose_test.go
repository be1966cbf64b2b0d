package deploy_test

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// `docker-compose config -q` (scripts/deploy-check.sh) says the compose file
// is valid; this says it is the deployment we mean: three replica set
// members, two or more API replicas that share keys and the database, TLS in
// front, and no secret written into it.

type composeFile struct {
	Services map[string]composeService `json:"services"`
	Networks map[string]struct {
		Internal bool `json:"internal"`
		IPAM     struct {
			Config []struct {
				Subnet string `json:"subnet"`
			} `json:"config"`
		} `json:"ipam"`
	} `json:"networks"`
	Volumes map[string]any `json:"volumes"`
}

type composeService struct {
	Image       string                   `json:"image"`
	Build       *struct{ Target string } `json:"build"`
	Command     []string                 `json:"command"`
	Entrypoint  []string                 `json:"entrypoint"`
	Environment map[string]string        `json:"environment"`
	Volumes     []string                 `json:"volumes"`
	Networks    []string                 `json:"networks"`
	Ports       []string                 `json:"ports"`
	ReadOnly    bool                     `json:"read_only"`
	DependsOn   map[string]struct {
		Condition string `json:"condition"`
	} `json:"depends_on"`
	Healthcheck *struct {
		Test []string `json:"test"`
	} `json:"healthcheck"`
}

func mustCompose(tb testing.TB) (composeFile, string) {
	tb.Helper()
	raw, err := os.ReadFile("compose.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var c composeFile
	// sigs.k8s.io/yaml resolves the x-mongo and x-api anchors and merge keys
	// as compose does.
	if err := yaml.Unmarshal(raw, &c); err != nil {
		tb.Fatalf("compose.yaml: %v", err)
	}
	return c, string(raw)
}

// servicesWhere returns the names of the services that satisfy keep, sorted.
func servicesWhere(c composeFile, keep func(composeService) bool) []string {
	var out []string
	for name, s := range c.Services {
		if keep(s) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func TestCompose(t *testing.T) {
	c, raw := mustCompose(t)
	mongos := servicesWhere(c, func(s composeService) bool { return slices.Contains(s.Command, "--replSet") })
	apis := servicesWhere(c, func(s composeService) bool { return slices.Equal(s.Command, []string{"serve"}) })
	keys := servicesWhere(c, func(s composeService) bool { return s.Build != nil && s.Build.Target == "init" })

	t.Run("ReplicaSetOfThree", func(t *testing.T) {
		if len(mongos) != 3 {
			t.Fatalf("replica set members %v, want three", mongos)
		}
		script, err := os.ReadFile("compose/rs-init.js")
		if err != nil {
			t.Fatal(err)
		}
		dataVolumes := map[string]string{}
		for _, m := range mongos {
			s := c.Services[m]
			if i := slices.Index(s.Command, "--replSet"); i+1 >= len(s.Command) || s.Command[i+1] != "rs0" {
				t.Errorf("%s: --replSet is not rs0: %v", m, s.Command)
			}
			if !slices.Contains(s.Command, "--keyFile") {
				t.Errorf("%s: no --keyFile: members would accept anyone inside the network", m)
			}
			if s.Healthcheck == nil {
				t.Errorf("%s: no health check", m)
			}
			if !strings.Contains(string(script), `"`+m+`:27017"`) {
				t.Errorf("rs-init.js does not initiate %s:27017", m)
			}
			for _, v := range s.Volumes {
				if src, dst, _ := strings.Cut(v, ":"); strings.HasPrefix(dst, "/data/db") {
					if other, dup := dataVolumes[src]; dup {
						t.Errorf("%s and %s share the data volume %s", m, other, src)
					}
					dataVolumes[src] = m
				}
			}
		}
		if len(dataVolumes) != 3 {
			t.Errorf("data volumes %v, want one for each member", dataVolumes)
		}
		init := c.Services["mongo-init"]
		for _, m := range mongos {
			if init.DependsOn[m].Condition != "service_healthy" {
				t.Errorf("mongo-init does not wait for %s to be healthy", m)
			}
		}
		if !strings.Contains(strings.Join(init.Entrypoint, " "), "rs-init.js") {
			t.Errorf("mongo-init does not run rs-init.js: %v", init.Entrypoint)
		}
	})

	t.Run("APIReplicas", func(t *testing.T) {
		if len(apis) < 2 {
			t.Fatalf("API replicas %v, want two or more", apis)
		}
		if len(keys) != 1 {
			t.Fatalf("key-making services %v, want one", keys)
		}
		keysVolume := volumeAt(c.Services[keys[0]], "/data/keys")
		if keysVolume == "" || strings.HasSuffix(keysVolume, ":ro") {
			t.Errorf("%s does not write a volume at /data/keys: %v", keys[0], c.Services[keys[0]].Volumes)
		}
		if !slices.Equal(c.Services[keys[0]].Command, []string{"make", "/data/keys"}) {
			t.Errorf("%s: command %v, want [make /data/keys]", keys[0], c.Services[keys[0]].Command)
		}
		edge := c.Networks["edge"].IPAM.Config
		for _, name := range apis {
			s := c.Services[name]
			env := s.Environment
			u, err := url.Parse(interpolate(env["MONGODB_URI"]))
			if err != nil {
				t.Errorf("%s: MONGODB_URI: %v", name, err)
				continue
			}
			if u.Query().Get("replicaSet") != "rs0" {
				t.Errorf("%s: MONGODB_URI has no replicaSet=rs0", name)
			}
			for _, m := range mongos {
				if !strings.Contains(u.Host, m+":27017") {
					t.Errorf("%s: MONGODB_URI does not list %s", name, m)
				}
			}
			for k, want := range map[string]string{"VEIKART_REMINDERS": "true", "VEIKART_PUBLIC_URL": "https://localhost", "VEIKART_ADDR": "0.0.0.0:8080"} {
				if env[k] != want {
					t.Errorf("%s: %s=%q, want %q", name, k, env[k], want)
				}
			}
			if len(edge) != 1 || env["VEIKART_TRUSTED_PROXIES"] != edge[0].Subnet {
				t.Errorf("%s: VEIKART_TRUSTED_PROXIES=%q, want the edge network's subnet", name, env["VEIKART_TRUSTED_PROXIES"])
			}
			// The default keys directory, /data/keys, from the volume the
			// keys service made, read-only: a replica cannot make its own.
			if env["VEIKART_KEYS_DIR"] != "" && env["VEIKART_KEYS_DIR"] != "/data/keys" {
				t.Errorf("%s: VEIKART_KEYS_DIR=%q, want /data/keys", name, env["VEIKART_KEYS_DIR"])
			}
			if v := volumeAt(s, "/data/keys"); v != strings.Split(keysVolume, ":")[0]+":/data/keys:ro" {
				t.Errorf("%s: keys mounted as %q, want the keys service's volume read-only", name, v)
			}
			for _, dep := range []string{keys[0], "mongo-init"} {
				if s.DependsOn[dep].Condition != "service_completed_successfully" {
					t.Errorf("%s does not wait for %s to finish", name, dep)
				}
			}
			if s.Healthcheck == nil || !slices.Equal(s.Healthcheck.Test, []string{"CMD", "/veikart", "health"}) {
				t.Errorf("%s: health check is not the binary's own", name)
			}
			if s.Build == nil || s.Build.Target != "runtime" {
				t.Errorf("%s: not built from the runtime target", name)
			}
			if !s.ReadOnly {
				t.Errorf("%s: root filesystem is writable", name)
			}
			if len(s.Ports) > 0 {
				t.Errorf("%s publishes ports %v; only the proxy should", name, s.Ports)
			}
		}
	})

	t.Run("TLSProxyInFront", func(t *testing.T) {
		published := servicesWhere(c, func(s composeService) bool { return len(s.Ports) > 0 })
		if !slices.Equal(published, []string{"caddy"}) {
			t.Fatalf("services publishing ports: %v, want only caddy", published)
		}
		caddy := c.Services["caddy"]
		if !slices.Contains(caddy.Ports, "443:443") {
			t.Errorf("caddy does not publish 443: %v", caddy.Ports)
		}
		if !slices.Contains(caddy.Networks, "edge") {
			t.Errorf("caddy is not on the edge network")
		}
		conf, err := os.ReadFile("compose/Caddyfile")
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^\s*tls internal\s*$`).Match(conf) {
			t.Error("Caddyfile: no `tls internal`")
		}
		proxy := regexp.MustCompile(`(?m)^\s*reverse_proxy (.*) \{`).FindSubmatch(conf)
		if proxy == nil {
			t.Fatal("Caddyfile: no reverse_proxy")
		}
		for _, a := range apis {
			if !slices.Contains(strings.Fields(string(proxy[1])), a+":8080") {
				t.Errorf("Caddyfile: reverse_proxy does not send to %s:8080", a)
			}
		}
		if !strings.Contains(string(conf), "health_uri /health/ready") {
			t.Error("Caddyfile: the proxy does not check the replicas' readiness")
		}
		if !c.Networks["db"].Internal {
			t.Error("the db network is not internal")
		}
	})

	t.Run("NoSecretWrittenIn", func(t *testing.T) {
		ref := regexp.MustCompile(`^\$\{[A-Z0-9_]+(:[-?][^}]*)?\}$`)
		secretName := regexp.MustCompile(`PASSWORD|SECRET|TOKEN|_KEY$`)
		userinfo := regexp.MustCompile(`://[^:/@]+:([^@]+)@`)
		for name, s := range c.Services {
			for k, v := range s.Environment {
				if secretName.MatchString(k) && v != "" && !ref.MatchString(v) {
					t.Errorf("%s: %s is written in, not taken from the environment", name, k)
				}
				if m := userinfo.FindStringSubmatch(v); m != nil && !ref.MatchString(m[1]) {
					t.Errorf("%s: %s holds a password that is written in", name, k)
				}
			}
		}
		if strings.Contains(raw, "BEGIN ") {
			t.Error("compose.yaml holds a PEM block")
		}
		// The example environment file documents the secrets, empty.
		env, err := os.ReadFile("compose/env.example")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(env), "\n") {
			k, v, ok := strings.Cut(line, "=")
			if ok && !strings.HasPrefix(k, "#") && secretName.MatchString(k) && v != "" {
				t.Errorf("env.example gives %s a value", k)
			}
		}
		for _, v := range regexp.MustCompile(`\$\{([A-Z0-9_]+)`).FindAllStringSubmatch(raw, -1) {
			if !strings.Contains(string(env), v[1]+"=") {
				t.Errorf("compose.yaml reads %s, which env.example does not document", v[1])
			}
		}
	})

	t.Run("LocalFilesExist", func(t *testing.T) {
		for name, s := range c.Services {
			for _, v := range s.Volumes {
				if src, _, _ := strings.Cut(v, ":"); strings.HasPrefix(src, "./") {
					if _, err := os.Stat(filepath.FromSlash(src)); err != nil {
						t.Errorf("%s mounts %s: %v", name, src, err)
					}
				} else if _, declared := c.Volumes[src]; !declared {
					t.Errorf("%s mounts the volume %s, which is not declared", name, src)
				}
			}
		}
	})
}

// interpolate replaces each ${NAME...} as compose would with NAME set to a
// placeholder.
func interpolate(s string) string {
	return regexp.MustCompile(`\$\{([A-Z0-9_]+)[^}]*\}`).ReplaceAllString(s, "placeholder")
}

// volumeAt returns the service's volume entry mounted at target, "" if none.
func volumeAt(s composeService, target string) string {
	for _, v := range s.Volumes {
		if parts := strings.Split(v, ":"); len(parts) >= 2 && parts[1] == target {
			return v
		}
	}
	return ""
}
