package deploy_test

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// The Dockerfile is read by BuildKit's own parser, with its build checks
// (the ones `docker build --check` runs while parsing) counted as failures;
// then the rules that matter for this image are checked one by one. Without
// a Docker engine, the build stage is replayed here instead: the context
// that .dockerignore lets through, the files its COPY lines take, and its
// `go build` line, run as written.

const repoRoot = ".."

// runtimeUser is the distroless "nonroot" user. Numeric, so that Kubernetes
// can check runAsNonRoot without an /etc/passwd.
const runtimeUser = "65532:65532"

func TestDockerfile(t *testing.T) {
	stages := mustStages(t, "Dockerfile")
	byName := map[string]instructions.Stage{}
	for _, s := range stages {
		byName[s.Name] = s
	}
	build, ok := byName["build"]
	if !ok {
		t.Fatal("no stage named build")
	}
	runtime := stages[len(stages)-1]

	t.Run("BaseImagesPinned", func(t *testing.T) {
		for _, s := range stages {
			if _, isStage := byName[s.BaseName]; isStage {
				continue
			}
			if !pinned(s.BaseName) {
				t.Errorf("stage %s: base image %q has no version tag or digest (or is latest)", s.Name, s.BaseName)
			}
		}
	})
	t.Run("NoADD", func(t *testing.T) {
		// ADD fetches URLs and unpacks archives; COPY does only what it says.
		for _, s := range stages {
			for _, c := range commands[*instructions.AddCommand](s) {
				t.Errorf("stage %s: %s (use COPY)", s.Name, c)
			}
		}
	})
	t.Run("StaticTrimmedBuild", func(t *testing.T) {
		if env := stageEnv(build); env["CGO_ENABLED"] != "0" {
			t.Errorf("build stage: CGO_ENABLED=%q, want 0 (a static binary for distroless/static)", env["CGO_ENABLED"])
		}
		line := goBuildLine(t, build)
		for _, want := range []string{"-trimpath", `-ldflags "-s -w"`, "-o /out/veikart", "./cmd/veikart"} {
			if !strings.Contains(line, want) {
				t.Errorf("build stage: %q lacks %s", line, want)
			}
		}
	})
	t.Run("RuntimeIsDistrolessNonRoot", func(t *testing.T) {
		if !strings.HasPrefix(runtime.BaseName, "gcr.io/distroless/static") {
			t.Errorf("the last stage (the default target) is %q, want distroless/static", runtime.BaseName)
		}
		for _, s := range stages {
			if s.Name == build.Name {
				continue // discarded after the build
			}
			users := commands[*instructions.UserCommand](s)
			if len(users) == 0 || users[len(users)-1].User != runtimeUser {
				t.Errorf("stage %s does not end as USER %s", s.Name, runtimeUser)
			}
		}
	})
	t.Run("RuntimeServesAndChecksItself", func(t *testing.T) {
		env := stageEnv(runtime)
		for k, want := range map[string]string{"VEIKART_ADDR": "0.0.0.0:8080", "VEIKART_DATA_DIR": "/data", "VEIKART_METRICS_ADDR": "0.0.0.0:9464"} {
			if env[k] != want {
				t.Errorf("runtime ENV %s=%q, want %q", k, env[k], want)
			}
		}
		var ports, volumes []string
		for _, c := range commands[*instructions.ExposeCommand](runtime) {
			ports = append(ports, c.Ports...)
		}
		for _, c := range commands[*instructions.VolumeCommand](runtime) {
			volumes = append(volumes, c.Volumes...)
		}
		for _, p := range []string{"8080", "9464"} {
			if !slices.Contains(ports, p) {
				t.Errorf("runtime EXPOSE %v lacks %s", ports, p)
			}
		}
		if !slices.Contains(volumes, "/data") {
			t.Errorf("runtime VOLUME %v lacks /data", volumes)
		}
		hc := commands[*instructions.HealthCheckCommand](runtime)
		if len(hc) != 1 || !slices.Equal(hc[0].Health.Test, []string{"CMD", "/veikart", "health"}) {
			t.Errorf("runtime HEALTHCHECK: want exec form CMD [\"/veikart\", \"health\"] (no shell in distroless), got %v", hc)
		}
		ep := commands[*instructions.EntrypointCommand](runtime)
		if len(ep) != 1 || ep[0].PrependShell || !slices.Equal(ep[0].CmdLine, []string{"/veikart"}) {
			t.Errorf("runtime ENTRYPOINT: want [\"/veikart\"] in exec form, got %v", ep)
		}
		cmd := commands[*instructions.CmdCommand](runtime)
		if len(cmd) != 1 || !slices.Equal(cmd[0].CmdLine, []string{"serve"}) {
			t.Errorf("runtime CMD: want [\"serve\"], got %v", cmd)
		}
	})
	t.Run("CopiesComeFromContextOrBuild", func(t *testing.T) {
		ctx := mustContext(t)
		for _, s := range stages {
			for _, c := range commands[*instructions.CopyCommand](s) {
				if c.From != "" {
					if c.From != build.Name {
						t.Errorf("stage %s: COPY --from=%s, want --from=%s", s.Name, c.From, build.Name)
					}
					continue
				}
				for _, src := range c.SourcePaths {
					if !ctx.has(src) {
						t.Errorf("stage %s: COPY %s: not in the build context (.dockerignore leaves it out, or it does not exist)", s.Name, src)
					}
				}
			}
		}
	})
}

// TestDockerignore checks the context the image is built from: what it must
// hold, and what must never reach a build (keys, data, secrets, history).
func TestDockerignore(t *testing.T) {
	ctx := mustContext(t)
	for _, p := range []string{"go.mod", "go.sum", "cmd/veikart/main.go", "cmd/veikart/health.go", "pwa/index.html", "pwa/sw.js", "schemas/embed.go", "deploy/keys-init.sh"} {
		if !ctx.has(p) {
			t.Errorf("%s is not in the build context", p)
		}
	}
	for _, p := range []string{".git/HEAD", "data/keys/pid.key", "deploy/.env", "keys/vapid.json", "bin/veikart", "tmp/x", "pwa/tests/package.json",
		"tools/push-testing/node_modules/x/index.js", "backend/api/api_test.go", "cmd/veikart/kill_test.go", "deploy/k8s/deployment.yaml"} {
		if ok, err := ctx.matcher.MatchesOrParentMatches(p); err != nil || !ok {
			t.Errorf("%s would be sent to the build (.dockerignore does not exclude it)", p)
		}
	}
}

// TestDockerfile_BuildStage replays the build stage: the files its COPY
// lines take from the context, then its `go build` line as written, in an
// empty directory. It proves the context holds all the binary needs and the
// binary is static, built as the Dockerfile says, and serves.
func TestDockerfile_BuildStage(t *testing.T) {
	bin := mustBuild(t)

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader; distroless/static has none")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for k, want := range map[string]string{"CGO_ENABLED": "0", "-trimpath": "true"} {
		if settings[k] != want {
			t.Errorf("build setting %s=%q, want %q", k, settings[k], want)
		}
	}
	// -ldflags "-s -w" is not recorded with -trimpath; its effect is: no
	// symbol table, no DWARF.
	for _, sec := range []string{".symtab", ".debug_info"} {
		if f.Section(sec) != nil {
			t.Errorf("the binary has a %s section; -ldflags \"-s -w\" strips it", sec)
		}
	}

	// The container's view: the binary alone, serving on the embedded store,
	// and its HEALTHCHECK command answering for it.
	addr := freeAddr(t)
	data := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"VEIKART_ADDR=" + addr, "VEIKART_DATA_DIR=" + data, "VEIKART_LOG_LEVEL=warn", "HOME=" + data}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	health := func() error {
		h := exec.Command(bin, "health")
		h.Env = []string{"VEIKART_ADDR=" + addr}
		out, err := h.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w: %s", err, out)
		}
		return nil
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := health()
		if err == nil {
			break
		}
		select {
		case werr := <-exited:
			t.Fatalf("serve exited (%v) before it was healthy:\n%s", werr, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not healthy after 60 s: %v\n%s", err, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, k := range []string{"signing-", "vapid.json"} {
		if m, _ := filepath.Glob(filepath.Join(data, "keys", k+"*")); len(m) == 0 {
			t.Errorf("serve made no %s in the data directory's keys/", k)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve did not stop cleanly on SIGTERM: %v\n%s", err, log.String())
		}
		exited <- err // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s of SIGTERM")
	}
	if err := health(); err == nil {
		t.Error("health succeeded with the server stopped")
	}
}

// mustStages parses a Dockerfile as BuildKit does; its parser warnings and
// build-check findings fail the test.
func mustStages(tb testing.TB, path string) []instructions.Stage {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := parser.Parse(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	for _, w := range res.Warnings {
		tb.Errorf("%s:%d: %s", path, w.Location.Start.Line, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		tb.Errorf("%s:%d: build check %s: %s", path, line, rule, msg)
	}})
	stages, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(stages) == 0 {
		tb.Fatalf("%s has no stages", path)
	}
	return stages
}

// commands returns a stage's commands of one type, in order.
func commands[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if t, ok := c.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

func stageEnv(s instructions.Stage) map[string]string {
	env := map[string]string{}
	for _, c := range commands[*instructions.EnvCommand](s) {
		for _, kv := range c.Env {
			env[kv.Key] = kv.Value
		}
	}
	return env
}

// goBuildLine is the build stage's RUN line that builds the binary.
func goBuildLine(tb testing.TB, s instructions.Stage) string {
	tb.Helper()
	for _, r := range commands[*instructions.RunCommand](s) {
		line := strings.Join(r.CmdLine, " ")
		if strings.HasPrefix(strings.TrimSpace(line), "go build") {
			return line
		}
	}
	tb.Fatalf("stage %s has no RUN go build", s.Name)
	return ""
}

// pinned reports whether an image reference names a version: a digest, or
// a tag other than latest.
func pinned(ref string) bool {
	if strings.Contains(ref, "@sha256:") {
		return true
	}
	name := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(name, ":")
	return ok && tag != "" && tag != "latest"
}

// buildContext is the repository as `docker build` sees it through
// .dockerignore.
type buildContext struct {
	matcher *patternmatcher.PatternMatcher
	files   map[string]bool // slash-separated paths relative to the root
}

func (c *buildContext) has(src string) bool {
	src = strings.TrimSuffix(strings.TrimPrefix(src, "./"), "/")
	if c.files[src] {
		return true
	}
	for f := range c.files {
		if strings.HasPrefix(f, src+"/") {
			return true
		}
	}
	return false
}

var (
	contextOnce sync.Once
	contextVal  *buildContext
	contextErr  error
)

func mustContext(tb testing.TB) *buildContext {
	tb.Helper()
	contextOnce.Do(func() { contextVal, contextErr = loadContext(repoRoot) })
	if contextErr != nil {
		tb.Fatal(contextErr)
	}
	return contextVal
}

func loadContext(root string) (*buildContext, error) {
	f, err := os.Open(filepath.Join(root, ".dockerignore"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf(".dockerignore: %w", err)
	}
	var exceptions []string
	for _, p := range pm.Patterns() {
		if p.Exclusion() {
			exceptions = append(exceptions, p.String())
		}
	}
	c := &buildContext{matcher: pm, files: map[string]bool{}}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		excluded, err := pm.MatchesOrParentMatches(rel)
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Docker walks into an excluded directory only when an
			// exception could bring back something inside it.
			if excluded && !slices.ContainsFunc(exceptions, func(e string) bool { return strings.HasPrefix(e, rel+"/") }) {
				return filepath.SkipDir
			}
			return nil
		}
		if !excluded {
			c.files[rel] = true
		}
		return nil
	})
	return c, err
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// mustBuild replays the build stage once per test run and returns the
// binary it made. Skipped with -short: it compiles the whole server.
func mustBuild(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds the server; not with -short")
	}
	buildOnce.Do(func() { buildBin, buildErr = replayBuildStage(tb) })
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return buildBin
}

func replayBuildStage(tb testing.TB) (string, error) {
	stages := mustStages(tb, "Dockerfile")
	var build *instructions.Stage
	for i := range stages {
		if stages[i].Name == "build" {
			build = &stages[i]
		}
	}
	if build == nil {
		return "", errors.New("no build stage")
	}
	ctx, err := loadContext(repoRoot)
	if err != nil {
		return "", err
	}
	if buildDir, err = os.MkdirTemp("", "veikart-image-"); err != nil {
		return "", err
	}
	src, out := filepath.Join(buildDir, "src"), filepath.Join(buildDir, "out")
	// COPY <context paths> <dest> into WORKDIR, as Docker does: a source
	// directory's contents land in dest.
	for _, c := range commands[*instructions.CopyCommand](*build) {
		for _, s := range c.SourcePaths {
			s = strings.TrimSuffix(s, "/")
			for f := range ctx.files {
				var dst string
				switch {
				case f == s:
					dst = c.DestPath
					if strings.HasSuffix(dst, "/") {
						dst += filepath.Base(f)
					}
				case strings.HasPrefix(f, s+"/"):
					dst = filepath.Join(c.DestPath, strings.TrimPrefix(f, s+"/"))
				default:
					continue
				}
				if err := copyFile(filepath.Join(repoRoot, f), filepath.Join(src, dst)); err != nil {
					return "", err
				}
			}
		}
	}
	line := goBuildLine(tb, *build)
	line = strings.ReplaceAll(line, "/out/", out+"/")
	cmd := exec.CommandContext(context.Background(), "sh", "-c", line)
	cmd.Dir = src
	cmd.Env = os.Environ()
	for k, v := range stageEnv(*build) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s: %v\n%s", line, err, b)
	}
	return filepath.Join(out, "veikart"), nil
}

func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
