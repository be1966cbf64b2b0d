package api_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veikart/veikart/backend/veikart"
)

// BenchmarkMessages_Inbox is a caseworker's day with messages, over real
// HTTP on the embedded store: the list of 300 households shared with the
// agency, each with an unread message from the household (one read of the
// agency's inbox for the whole list), reading a thread (logged in the
// household's access log, marked read) and answering in it. Run with:
// go test -run '^$' -bench Messages_Inbox ./backend/api
func BenchmarkMessages_Inbox(b *testing.B) {
	e := mustEnv(b, false)
	ctx := context.Background()
	now := e.clock.Now()
	a := benchAgency(b, e, "nav-bench", "u-nina")
	const households = 300
	ids := make([]string, households)
	for i := range households {
		ids[i] = fmt.Sprintf("00000000-0000-4000-9000-%012d", i)
		r, err := veikart.NewRoadmap(ids[i], fmt.Sprintf("u-owner-%d", i), fmt.Sprintf("Familie %d", i), nil, now)
		if err != nil {
			b.Fatal(err)
		}
		benchShare(b, e, a.ID, r, []veikart.Section{veikart.AreaSection("housing"), veikart.StepsSection("housing")}, veikart.View, veikart.Messaging)
		if _, _, _, err := e.store.AddMessage(ctx, r.ID, a.ID, veikart.Message{ID: "m0", From: veikart.SideHousehold, UserID: r.Owners[0], Text: "Hei"}, now); err != nil {
			b.Fatal(err)
		}
	}
	nina := e.issue(b, "u-nina", a.ID)
	b.Run("shared-list-300", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !benchGet(b, e.url+"/api/v1/shared", nina) {
					return
				}
			}
		})
	})
	var next atomic.Int64
	b.Run("read-thread", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				id := ids[next.Add(1)%households]
				if !benchGet(b, e.url+"/api/v1/roadmaps/"+id+"/conversations/"+a.ID+"/messages", nina) {
					return
				}
			}
		})
	})
	b.Run("send", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n := next.Add(1)
				body := fmt.Sprintf(`{"id":"b-%d","text":"Ring meg i morgen."}`, n)
				if !benchPost(b, e.url+"/api/v1/roadmaps/"+ids[n%households]+"/conversations/"+a.ID+"/messages", nina, body) {
					return
				}
			}
		})
	})
}

// benchPost sends body to url with token and reports whether it answered 201.
func benchPost(b *testing.B, url, token, body string) bool {
	return benchDo(b, "POST", url, token, body, 201)
}

// benchAgency stores agency id with one caseworker, userID (Nina).
func benchAgency(b *testing.B, e *env, id, userID string) *veikart.Agency {
	b.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	a, err := veikart.NewAgency(id, veikart.KindNAV, "NAV Bench", "Oslo", now)
	if err != nil {
		b.Fatal(err)
	}
	if a, err = a.SetStaff(userID, []veikart.AgencyRole{veikart.CaseworkerRole}, "op", now); err != nil {
		b.Fatal(err)
	}
	if err := e.store.CreateAgency(ctx, a); err != nil {
		b.Fatal(err)
	}
	if _, err := e.store.EnsureUser(ctx, &veikart.User{ID: userID, Name: "Nina", CreatedAt: now}); err != nil {
		b.Fatal(err)
	}
	return a
}

// benchShare stores roadmap r with a grant to agencyID of sections and
// perms for 90 days, in the agency's index.
func benchShare(b *testing.B, e *env, agencyID string, r *veikart.Roadmap, sections []veikart.Section, perms ...veikart.Permission) {
	b.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	r, _, err := r.AddGrant("g-nav", agencyID, r.Owners[0], veikart.GrantSpec{
		Sections: sections, Permissions: perms, Purpose: "Bolig", ExpiresAt: now.Add(90 * 24 * time.Hour),
	}, "owner", now, veikart.ConsentPolicy{})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.store.CreateRoadmap(ctx, r); err != nil {
		b.Fatal(err)
	}
	if err := e.store.AddAgencyRoadmap(ctx, agencyID, r.ID); err != nil {
		b.Fatal(err)
	}
}
