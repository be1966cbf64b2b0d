package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// `veikart agency` is a small client of the server's admin API. It talks HTTP
// instead of opening the store: the running server holds the embedded store's
// lock, and going through the API keeps validation and the access rules in
// one place.

const agencyUsage = `usage: veikart agency <subcommand> [flags]

subcommands:
  create -kind KIND -name NAME -region REGION [-id ID]
                                  create an agency
  list                            list the agencies
  show AGENCY_ID                  show an agency and its people
  staff AGENCY_ID USER_ID -roles caseworker,admin
                                  add a person to an agency, or change their roles
  remove-staff AGENCY_ID USER_ID  take a person out of an agency

flags of every subcommand:
  -server URL  the server (default: VEIKART_PUBLIC_URL, or http://VEIKART_ADDR)
  -json        print the server's JSON answer instead of a summary

Requests are signed as the operator with the signing keys in VEIKART_KEYS_DIR
(default VEIKART_DATA_DIR/keys), so run this where the server's keys are, with
the server's configuration, while the server runs.
`

const (
	// operatorTokenTTL is long enough for one command, short enough that a
	// token left in a shell history or a proxy log is soon worthless.
	operatorTokenTTL = 5 * time.Minute
	adminHTTPTimeout = 10 * time.Second
	// maxAnswer bounds what is read of one answer (the agency list is at
	// most 1000 agencies with their staff).
	maxAnswer = 64 << 20
)

// agencySub is one subcommand: its synopsis, how many positional arguments
// it takes, and setup, which defines its own flags and returns how to turn
// them and the positional arguments into a request.
type agencySub struct {
	synopsis string
	nargs    int
	setup    func(fl *flag.FlagSet) func(pos []string) adminCall
}

// adminCall is one request to the admin API and how to summarise its answer.
type adminCall struct {
	method string
	path   string
	body   any // nil: no body
	show   func(w io.Writer, answer []byte) error
}

var agencySubs = map[string]agencySub{
	"create":       {"create -kind KIND -name NAME -region REGION [-id ID]", 0, setupCreate},
	"list":         {"list", 0, setupList},
	"show":         {"show AGENCY_ID", 1, setupShow},
	"staff":        {"staff AGENCY_ID USER_ID -roles caseworker,admin", 2, setupStaff},
	"remove-staff": {"remove-staff AGENCY_ID USER_ID", 2, setupRemoveStaff},
}

func agency(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, agencyUsage)
		return errors.New("agency: no subcommand given")
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, agencyUsage)
		return nil
	}
	sub, ok := agencySubs[args[0]]
	if !ok {
		fmt.Fprint(stderr, agencyUsage)
		return fmt.Errorf("agency: unknown subcommand %q", args[0])
	}
	fl := flag.NewFlagSet("agency "+args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: veikart agency %s [-server URL] [-json]\n", sub.synopsis)
		fl.PrintDefaults()
	}
	server := fl.String("server", cfg.PublicURL, "the server's `URL`")
	asJSON := fl.Bool("json", false, "print the server's JSON answer instead of a summary")
	build := sub.setup(fl)
	pos, err := parseInterspersed(fl, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("agency %s: %w", args[0], err)
	}
	if len(pos) != sub.nargs {
		fl.Usage()
		return fmt.Errorf("agency %s: want %d arguments, got %d", args[0], sub.nargs, len(pos))
	}
	call := build(pos)
	client, err := newAdminClient(cfg, *server)
	if err != nil {
		return err
	}
	answer, err := client.do(ctx, call.method, call.path, call.body)
	if err != nil {
		return reportProblem(stderr, err)
	}
	if *asJSON {
		return writeRaw(stdout, answer)
	}
	return call.show(stdout, answer)
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments, so that `show ID -json` works as well as `show -json ID`
// (package flag stops at the first non-flag argument).
func parseInterspersed(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		if fl.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fl.Arg(0))
		args = fl.Args()[1:]
	}
}

// The subcommands.

func setupCreate(fl *flag.FlagSet) func([]string) adminCall {
	id := fl.String("id", "", "the agency's `ID` (default: the server makes one)")
	kind := fl.String("kind", "", "the `KIND` of agency: "+kindList())
	name := fl.String("name", "", "the agency's `NAME`")
	region := fl.String("region", "", "its municipality or `REGION`")
	return func([]string) adminCall {
		// Checking the values is left to the server, so that the command
		// and the API can never disagree about what is valid.
		body := wire.CreateAgencyRequest{ID: *id, Kind: *kind, Name: *name, Region: *region}
		return adminCall{http.MethodPost, "/api/v1/admin/agencies", body, showCreated}
	}
}

func setupList(*flag.FlagSet) func([]string) adminCall {
	return func([]string) adminCall {
		return adminCall{http.MethodGet, "/api/v1/agencies", nil, showList}
	}
}

func setupShow(*flag.FlagSet) func([]string) adminCall {
	return func(pos []string) adminCall {
		return adminCall{http.MethodGet, agencyPath(pos[0]), nil, showAgency}
	}
}

func setupStaff(fl *flag.FlagSet) func([]string) adminCall {
	roles := fl.String("roles", "", "comma-separated `ROLES`: caseworker, admin or both")
	return func(pos []string) adminCall {
		body := wire.StaffRequest{Roles: splitList(*roles)}
		return adminCall{http.MethodPut, staffPath(pos[0], pos[1]), body, showStaff(pos[1])}
	}
}

func setupRemoveStaff(*flag.FlagSet) func([]string) adminCall {
	return func(pos []string) adminCall {
		show := func(w io.Writer, _ []byte) error {
			fmt.Fprintf(w, "removed %s from %s\n", pos[1], pos[0])
			return nil
		}
		return adminCall{http.MethodDelete, staffPath(pos[0], pos[1]), nil, show}
	}
}

func agencyPath(id string) string { return "/api/v1/agencies/" + url.PathEscape(id) }

func staffPath(agencyID, userID string) string {
	return agencyPath(agencyID) + "/staff/" + url.PathEscape(userID)
}

func kindList() string {
	ks := make([]string, len(veikart.AgencyKinds))
	for i, k := range veikart.AgencyKinds {
		ks[i] = string(k)
	}
	return strings.Join(ks, ", ")
}

// splitList splits "a, b,c" into its items. It never returns nil: the API
// wants an array, and an empty one earns a clearer message than null.
func splitList(s string) []string {
	out := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// The summaries printed without -json.

func showCreated(w io.Writer, answer []byte) error {
	var a wire.Agency
	if err := decodeAnswer(answer, &a); err != nil {
		return err
	}
	fmt.Fprintf(w, "created agency %s: %s (%s, %s)\n", a.ID, a.Name, a.Kind, a.Region)
	return nil
}

func showList(w io.Writer, answer []byte) error {
	var l wire.AgencyList
	if err := decodeAnswer(answer, &l); err != nil {
		return err
	}
	if len(l.Items) == 0 {
		fmt.Fprintln(w, "no agencies")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME\tREGION\tSTAFF")
	for _, a := range l.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", a.ID, a.Kind, a.Name, a.Region, len(a.Staff))
	}
	return flushTable(tw)
}

func showAgency(w io.Writer, answer []byte) error {
	var a wire.Agency
	if err := decodeAnswer(answer, &a); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %s (%s, %s), created %s, %d staff\n",
		a.ID, a.Name, a.Kind, a.Region, a.CreatedAt.Format(time.DateOnly), len(a.Staff))
	if len(a.Staff) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tROLES\tADDED")
	for _, s := range a.Staff {
		who := s.UserID
		if s.Name != "" {
			who += " (" + s.Name + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", who, strings.Join(s.Roles, ","), s.AddedAt.Format(time.DateOnly))
	}
	return flushTable(tw)
}

func showStaff(userID string) func(io.Writer, []byte) error {
	return func(w io.Writer, answer []byte) error {
		var a wire.Agency
		if err := decodeAnswer(answer, &a); err != nil {
			return err
		}
		i := slices.IndexFunc(a.Staff, func(s wire.Staff) bool { return s.UserID == userID })
		if i < 0 {
			return fmt.Errorf("the server's answer does not list %s among %s's staff", userID, a.ID)
		}
		fmt.Fprintf(w, "%s in %s: %s (%d staff)\n", userID, a.ID, strings.Join(a.Staff[i].Roles, ","), len(a.Staff))
		return nil
	}
}

func decodeAnswer(answer []byte, v any) error {
	if err := json.Unmarshal(answer, v); err != nil {
		return fmt.Errorf("read the server's answer: %w", err)
	}
	return nil
}

func flushTable(tw *tabwriter.Writer) error {
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// writeRaw prints the answer as the server sent it; an empty answer (204)
// prints nothing, so that the output is always valid JSON or nothing.
func writeRaw(w io.Writer, answer []byte) error {
	if len(answer) == 0 {
		return nil
	}
	if !bytes.HasSuffix(answer, []byte("\n")) {
		answer = append(answer, '\n')
	}
	if _, err := w.Write(answer); err != nil {
		return fmt.Errorf("write answer: %w", err)
	}
	return nil
}

// The HTTP client.

// adminClient sends operator-signed requests to one server.
type adminClient struct {
	base  string // scheme://host[:port][/prefix], no trailing slash
	token string
	http  *http.Client
}

func newAdminClient(cfg config, server string) (*adminClient, error) {
	base, err := serverBase(server)
	if err != nil {
		return nil, err
	}
	token, err := operatorToken(cfg)
	if err != nil {
		return nil, err
	}
	return &adminClient{base: base, token: token, http: &http.Client{Timeout: adminHTTPTimeout}}, nil
}

func serverBase(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("-server %q: want a URL like http://127.0.0.1:8080", server)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// operatorToken mints a short-lived operator token from the keys the server
// signs with. Issuer and audience come from VEIKART_PUBLIC_URL, not from
// -server: the server checks them against its own public URL, whichever
// address the request reaches it by.
//
// It never creates a key: one made here would be unknown to the running
// server (it reads its keys at start-up), and no key at all means no server
// has started on this data directory.
func operatorToken(cfg config) (string, error) {
	keys, err := auth.LoadKeys(cfg.KeysDir, false, time.Now())
	if err != nil {
		if noKeys(cfg.KeysDir) {
			return "", fmt.Errorf("no signing keys in %s: the server has not been started yet "+
				"(start it with `veikart serve`, or point VEIKART_DATA_DIR or VEIKART_KEYS_DIR at the server's)", cfg.KeysDir)
		}
		return "", fmt.Errorf("load signing keys: %w", err)
	}
	tokens := auth.NewTokens(keys, cfg.PublicURL, cfg.PublicURL+"/api", operatorTokenTTL, time.Now)
	token, _, err := tokens.IssueOperator(operatorTokenTTL)
	if err != nil {
		return "", fmt.Errorf("mint operator token: %w", err)
	}
	return token, nil
}

// noKeys reports whether dir holds no key files at all (as opposed to keys
// that cannot be read, whose own error says more).
func noKeys(dir string) bool {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		return false
	}
	return !slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasSuffix(e.Name(), ".pem") })
}

// do sends one request and returns the answer's body, or a *problemError for
// a problem details answer.
func (c *adminClient) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the server at %s (is it running? see -server): %w", c.base, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("read answer to %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, answerError(resp, answer)
	}
	return answer, nil
}

func (c *adminClient) newRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json, application/problem+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// problemError is an RFC 9457 problem details answer.
type problemError struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer string `json:"pointer"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p *problemError) Error() string {
	if p.Detail == "" {
		return p.Title
	}
	return p.Title + ": " + p.Detail
}

// answerError turns an unsuccessful answer into a *problemError when it is
// problem details, and otherwise (a proxy's error page, say) into its status.
func answerError(resp *http.Response, answer []byte) error {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/problem+json" {
		p := &problemError{}
		if err := json.Unmarshal(answer, p); err == nil && p.Title != "" {
			p.Status = resp.StatusCode
			return p
		}
	}
	return fmt.Errorf("%s %s: the server answered %s", resp.Request.Method, resp.Request.URL.Path, resp.Status)
}

// reportProblem prints problem details the way the user needs them, the
// title and detail and then each field, and returns the error marked as
// reported so that main does not print it again. Other errors pass through.
func reportProblem(stderr io.Writer, err error) error {
	var p *problemError
	if !errors.As(err, &p) {
		return err
	}
	fmt.Fprintf(stderr, "veikart: %s\n", p)
	for _, e := range p.Errors {
		fmt.Fprintf(stderr, "  %s: %s\n", or(e.Pointer, "(request)"), e.Message)
	}
	if p.Status == http.StatusUnauthorized {
		// The likeliest cause: keys rotated after the server started, or a
		// VEIKART_PUBLIC_URL that differs from the server's.
		fmt.Fprintln(stderr, "  (the server rejected the operator token: run this with the server's configuration, and restart the server after `veikart keys`)")
	}
	return reportedError{err}
}
