package api_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/veikart/veikart/backend/auth"
	"github.com/veikart/veikart/backend/household"
	"github.com/veikart/veikart/backend/testenv"
	"github.com/veikart/veikart/backend/veikart"
	"github.com/veikart/veikart/backend/wire"
)

// mustDB opens the test server's database with the driver, beside the
// store, so that a test can read every collection as it is on disk.
func mustDB(t *testing.T, e *env) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(testenv.URI(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database(e.store.DatabaseName())
}

// dump returns every document of every collection in the database as
// extended JSON, by collection. A roadmap's body is stored compressed (its
// ids would not show in the raw bytes), so it is unpacked and dumped too.
func dump(t *testing.T, db *mongo.Database) map[string][]string {
	t.Helper()
	ctx := context.Background()
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	out := map[string][]string{}
	for _, name := range names {
		cur, err := db.Collection(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			j, err := bson.MarshalExtJSON(d, false, false)
			if err != nil {
				t.Fatal(err)
			}
			text := string(j)
			if _, body, ok := d.Lookup("body").BinaryOK(); ok && name == "roadmaps" {
				if format, _ := d.Lookup("format").AsInt64OK(); format == 2 {
					if body, err = dec.DecodeAll(body, nil); err != nil {
						t.Fatal(err)
					}
				}
				bj, err := bson.MarshalExtJSON(bson.Raw(body), false, false)
				if err != nil {
					t.Fatal(err)
				}
				text += " body=" + string(bj)
			}
			out[name] = append(out[name], text)
		}
	}
	return out
}

// refersTo lists the documents, in any collection, that hold id as a whole
// id (not as the start of a longer one: "00000000-0000-4000-8000-000000000022" is not in "00000000-0000-4000-8000-000000000023").
func refersTo(t *testing.T, db *mongo.Database, id string) []string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(id) + `($|[^A-Za-z0-9_-])`)
	var hits []string
	for coll, docs := range dump(t, db) {
		for _, d := range docs {
			if re.MatchString(d) {
				hits = append(hits, coll+": "+d)
			}
		}
	}
	return hits
}

// scheduleJobs stores reminder jobs, slot entries and a claim for roadmap
// id, with the ids the reminder scheduler gives them ("<roadmap>/<step>/...").
func scheduleJobs(t *testing.T, e *env, id string) {
	t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	for i, at := range []time.Time{now.Add(48 * time.Hour), now.Add(72 * time.Hour)} {
		job := fmt.Sprintf("%s/s1/%s/%d-0900", id, now.Add(96*time.Hour).Format(time.DateOnly), i+1)
		if err := e.store.ScheduleReminder(ctx, job, id, "s1", at, now); err != nil {
			t.Fatal(err)
		}
		// A slot shared with another roadmap's job, which must stay.
		if err := e.store.AddToSlot(ctx, at, "00000000-0000-4000-8000-000000000004/s1/x/1-0900"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.store.ClaimReminder(ctx, job, "worker-1", now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestErase_RoadmapLeavesNothing erases a roadmap that has everything a
// roadmap can have around it (grants, a request, an invitation and its
// code, comments, a proposal, steps with reminder jobs, access-log entries,
// agencies' and people's indexes) and then reads every collection: no
// document may refer to it. The agencies that could read it are told,
// without a word about what it was.
func TestErase_RoadmapLeavesNothing(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	db := mustDB(t, e)
	// A caseworker reads it (an access-log entry), a member reads it.
	for _, role := range []string{"caseworker", "member", "caseworker"} {
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens[role], nil); r.status != 200 {
			t.Fatalf("%s reads: %d %s", role, r.status, r.body)
		}
	}
	scheduleJobs(t, e, w.id)
	// The member is linked in their own list, as a member invitation does.
	if err := e.store.AddUserRoadmap(context.Background(), w.users["member"], w.id); err != nil {
		t.Fatal(err)
	}
	if hits := refersTo(t, db, w.id); len(hits) < 8 {
		t.Fatalf("the setup should leave the roadmap in many collections, found %d: %v", len(hits), hits)
	}

	// Which agencies are to be told: those that could read it, or were to
	// from a planned date.
	before := w.roadmap(t)
	toldAgency := map[string]bool{}
	for _, g := range before.Grants {
		if g.ActiveAt(e.clock.Now()) || g.ScheduledAt(e.clock.Now()) {
			toldAgency[g.AgencyID] = true
		}
	}
	if !toldAgency[w.nav] || toldAgency[w.childWelfare] || toldAgency[w.housing] {
		t.Fatalf("the world's grants are not as this test expects: %v", toldAgency)
	}
	// Neither the co-owner's nor the caseworker's refusal changes anything.
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id, w.tokens["caseworker"], nil); r.status != 403 && r.status != 404 {
		t.Fatalf("caseworker deletes: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id, w.tokens["owner"], nil, "If-Match", `"v1"`); r.status != 412 {
		t.Fatalf("stale If-Match: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id, w.tokens["owner"], nil); r.status != 204 {
		t.Fatalf("owner deletes: %d %s", r.status, r.body)
	}
	if hits := refersTo(t, db, w.id); len(hits) > 0 {
		t.Fatalf("after erasure %d documents still refer to the roadmap:\n%s", len(hits), strings.Join(hits, "\n"))
	}
	// It is gone for everyone; a second DELETE finds nothing.
	for _, role := range []string{"owner", "co-owner", "member", "caseworker"} {
		if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens[role], nil); r.status != 404 {
			t.Fatalf("%s reads after erasure: %d %s", role, r.status, r.body)
		}
	}
	if r := e.do(t, "DELETE", "/api/v1/roadmaps/"+w.id, w.tokens["owner"], nil); r.status != 404 {
		t.Fatalf("second delete: %d %s", r.status, r.body)
	}
	// What is not the roadmap's stays: the other household, the other
	// roadmap's job in a shared slot, the agencies.
	if _, err := e.store.Roadmap(context.Background(), w.id+"-other"); err != nil {
		t.Fatalf("the other household's roadmap: %v", err)
	}
	if jobs, err := e.store.Slot(context.Background(), e.clock.Now().Add(48*time.Hour)); err != nil || len(jobs) != 1 || jobs[0] != "00000000-0000-4000-8000-000000000004/s1/x/1-0900" {
		t.Fatalf("shared slot: %v %v", jobs, err)
	}

	// NAV had an active grant: it is told, and told nothing else. Child
	// welfare (expired) and Husbanken (revoked) could no longer read it.
	r := e.do(t, "GET", "/api/v1/shared", w.tokens["caseworker"], nil)
	if r.status != 200 || strings.Count(r.body, `"deletedOn"`) != 1 || !strings.Contains(r.body, `"grantCreatedOn":"`+osloToday(e)) {
		t.Fatalf("NAV's shared list: %d %s", r.status, r.body)
	}
	sameAsWire[wire.SharedList](t, r.body)
	for _, leak := range append([]string{w.id, "Familien", "Mia"}, allMarkers...) {
		if strings.Contains(r.body, leak) {
			t.Fatalf("the notice reveals %q: %s", leak, r.body)
		}
	}
	for role, agency := range map[string]string{"expired": w.childWelfare, "revoked": w.housing, "never": w.police} {
		r := e.do(t, "GET", "/api/v1/shared", w.tokens[role], nil)
		if r.status != 200 || strings.Contains(r.body, "deletedOn") != toldAgency[agency] {
			t.Fatalf("%s's shared list (told: %v): %d %s", role, toldAgency[agency], r.status, r.body)
		}
		if strings.Contains(r.body, w.id) || strings.Contains(r.body, "Familien") {
			t.Fatalf("%s's shared list names the roadmap: %s", role, r.body)
		}
	}
}

// TestErase_AccountLeavesNothing erases an owner who shares one roadmap with
// a co-owner and owns another alone, and a caseworker who read and proposed;
// afterwards no document anywhere names either, the shared roadmap lives on
// for its co-owner, and their tokens no longer work.
func TestErase_AccountLeavesNothing(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	db := mustDB(t, e)
	ctx := context.Background()
	owner, cw := w.users["owner"], w.users["caseworker"]
	now := e.clock.Now()

	// The owner's own roadmap, with reminder jobs and a log entry.
	solo := auth.NewUUID()
	if r := e.do(t, "POST", "/api/v1/roadmaps", w.tokens["owner"], map[string]any{"id": solo, "title": "Mine alone"}); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	scheduleJobs(t, e, solo)
	// Everything else a person has: a second device, push, a passkey, an
	// enrolment code for them, a ceremony under way, a security log.
	second := e.issue(t, owner, "")
	if err := e.store.AddUserSession(ctx, owner, "s-extra"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.AddPushSubscription(ctx, veikart.PushSubscription{UserID: owner, Endpoint: "https://push.example/" + owner, P256dh: "k", Auth: "a", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	cred := []byte("credential-of-" + owner)
	if _, err := e.store.AddPasskey(ctx, veikart.Passkey{ID: veikart.PasskeyID(cred), CredentialID: cred, UserID: owner, Name: "Phone", PublicKey: []byte{1}, CreatedAt: now}, false); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateEnrolment(ctx, &veikart.Enrolment{CodeHash: "h-" + auth.RandomID(8), AgencyID: w.nav, CreatedBy: cw, UserID: owner, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.PutCeremony(ctx, &veikart.Ceremony{ID: auth.RandomID(8), Kind: veikart.CeremonyKind("add"), UserID: owner, Session: []byte("x"), ExpiresAt: now.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{owner, cw} {
		if err := e.store.AppendAudit(ctx, veikart.SecurityLogKey(u), veikart.AuditEvent{ID: auth.RandomID(6), At: now, UserID: u, Role: "dev", Action: veikart.AuditSignIn}); err != nil {
			t.Fatal(err)
		}
	}
	// The caseworker reads (log entries), and proposed a step (the world).
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens["caseworker"], nil); r.status != 200 {
		t.Fatal(r.body)
	}
	for _, id := range []string{owner, cw, solo} {
		if hits := refersTo(t, db, id); len(hits) < 3 {
			t.Fatalf("setup: %s is in too few documents: %v", id, hits)
		}
	}

	for _, who := range []struct{ role, id string }{{"owner", owner}, {"caseworker", cw}} {
		if r := e.do(t, "DELETE", "/api/v1/me", w.tokens[who.role], map[string]any{"confirm": "erase my account"}); r.status != 204 {
			t.Fatalf("%s erases their account: %d %s", who.role, r.status, r.body)
		}
		if hits := refersTo(t, db, who.id); len(hits) > 0 {
			t.Fatalf("after erasing %s, %d documents still refer to them:\n%s", who.role, len(hits), strings.Join(hits, "\n"))
		}
		if r := e.do(t, "GET", "/api/v1/me", w.tokens[who.role], nil); r.status != 401 {
			t.Fatalf("%s's token after erasure: %d %s", who.role, r.status, r.body)
		}
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps", second, nil); r.status != 401 {
		t.Fatalf("the owner's other device after erasure: %d %s", r.status, r.body)
	}
	if hits := refersTo(t, db, solo); len(hits) > 0 {
		t.Fatalf("the roadmap the owner owned alone is still referred to:\n%s", strings.Join(hits, "\n"))
	}
	// The shared roadmap lives on for the co-owner, with its household's
	// words, its consent records and its log (its entries now anonymous).
	r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens["co-owner"], nil)
	if r.status != 200 || !strings.Contains(r.body, mHousehold) || !strings.Contains(r.body, mOwnerNote) || !strings.Contains(r.body, `"owners":["`+w.users["co-owner"]+`"]`) {
		t.Fatalf("co-owner's roadmap: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id+"/access-log", w.tokens["co-owner"], nil); r.status != 200 || !strings.Contains(r.body, veikart.ErasedPerson) || !strings.Contains(r.body, w.nav) {
		t.Fatalf("access log after the caseworker left: %d %s", r.status, r.body)
	}
	// The member still reads it.
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens["member"], nil); r.status != 200 {
		t.Fatalf("member: %d %s", r.status, r.body)
	}
}

// TestErase_BadInputChangesNothing: DELETE /me without the exact
// confirmation is refused with problem details, and the account is intact.
func TestErase_BadInputChangesNothing(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	kari := e.login(t, "Kari")
	e.createRoadmap(t, kari, auth.NewUUID(), "KARI")
	db := mustDB(t, e)
	before := dump(t, db)
	cases := []struct {
		name, ct, body string
		want           int
	}{
		{"no body", "", "", 415},
		{"not JSON", "application/json", "{confirm:", 400},
		{"empty object", "application/json", "{}", 422},
		{"wrong phrase", "application/json", `{"confirm":"yes"}`, 422},
		{"unknown field", "application/json", `{"confirm":"erase my account","also":1}`, 422},
		{"array", "application/json", `["erase my account"]`, 422},
		{"text", "text/plain", `{"confirm":"erase my account"}`, 415},
	}
	for _, c := range cases {
		r := e.rawDo(t, "DELETE", "/api/v1/me", kari.access, c.ct, c.body)
		if r.status != c.want || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("%s: %d %s %s", c.name, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	after := dump(t, db)
	// Only the sessions' last-used times may move; compare the rest.
	for coll, docs := range before {
		if coll == "sessions" {
			continue
		}
		if !equalDocs(docs, after[coll]) {
			t.Fatalf("refused erasures changed %s:\nbefore %v\nafter  %v", coll, docs, after[coll])
		}
	}
	if r := e.do(t, "GET", "/api/v1/me", kari.access, nil); r.status != 200 {
		t.Fatalf("Kari after refused erasures: %d %s", r.status, r.body)
	}
}

func equalDocs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal([]byte(a[i]), []byte(b[i])) {
			return false
		}
	}
	return true
}

// TestErase_ReapplyAfterRestore: after a restore, the operator erases again
// what the server log says was erased since the backup, by hash alone. Only
// the operator may; what matches is gone from every collection; sending the
// hashes again erases nothing more.
func TestErase_ReapplyAfterRestore(t *testing.T) {
	t.Parallel()
	e := mustEnv(t, true)
	w := newWorld(t, e)
	db := mustDB(t, e)
	other := w.users["other-person"]
	// A roadmap of Ola's, and Ola's account, "erased after the backup":
	// in the restored database they are back.
	restored := auth.NewUUID()
	if r := e.do(t, "POST", "/api/v1/roadmaps", w.tokens["other-person"], map[string]any{"id": restored, "title": "Back from a backup"}); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	scheduleJobs(t, e, restored)
	hashes := map[string]any{"hashes": []string{
		household.ErasureHash("roadmap", restored), household.ErasureHash("user", other),
		household.ErasureHash("roadmap", "00000000-0000-4000-8000-000000000009"),
	}}
	for _, role := range []string{"owner", "caseworker", "agency-admin", "other-person"} {
		if r := e.do(t, "POST", "/api/v1/admin/erasures", w.tokens[role], hashes); r.status != 403 {
			t.Fatalf("%s: %d %s", role, r.status, r.body)
		}
	}
	for _, bad := range []any{map[string]any{}, map[string]any{"hashes": []string{"not-a-hash"}}, map[string]any{"hashes": []string{}}} {
		if r := e.do(t, "POST", "/api/v1/admin/erasures", w.tokens["operator"], bad); r.status != 422 {
			t.Fatalf("%v: %d %s", bad, r.status, r.body)
		}
	}
	for _, id := range []string{restored, other} {
		if len(refersTo(t, db, id)) == 0 {
			t.Fatalf("setup: nothing refers to %s", id)
		}
	}
	r := e.do(t, "POST", "/api/v1/admin/erasures", w.tokens["operator"], hashes)
	if r.status != 200 || r.body != `{"roadmaps":1,"accounts":1}` {
		t.Fatalf("reapply: %d %s", r.status, r.body)
	}
	for _, id := range []string{restored, other, w.id + "-other"} {
		if hits := refersTo(t, db, id); len(hits) > 0 {
			t.Fatalf("after reapplying, %d documents still refer to %s:\n%s", len(hits), id, strings.Join(hits, "\n"))
		}
	}
	// The household that erased nothing is untouched.
	if r := e.do(t, "GET", "/api/v1/roadmaps/"+w.id, w.tokens["owner"], nil); r.status != 200 {
		t.Fatalf("another household after reapplying: %d %s", r.status, r.body)
	}
	if r := e.do(t, "POST", "/api/v1/admin/erasures", w.tokens["operator"], hashes); r.status != 200 || r.body != `{"roadmaps":0,"accounts":0}` {
		t.Fatalf("reapply again: %d %s", r.status, r.body)
	}
}
