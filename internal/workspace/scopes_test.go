package workspace

import "testing"

// TestPermitsEveryScope walks the whole catalogue: a key holding exactly one
// scope is permitted that scope and denied every other one, and the empty
// requirement is permitted to any key.
func TestPermitsEveryScope(t *testing.T) {
	if len(AllScopes) != 28 {
		t.Fatalf("catalogue has %d scopes, want 28", len(AllScopes))
	}
	for _, held := range AllScopes {
		for _, needs := range AllScopes {
			got := Permits([]Scope{held}, needs)
			if want := held == needs; got != want {
				t.Errorf("held %s, needs %s: permitted=%v, want %v", held, needs, got, want)
			}
		}
		if !Permits([]Scope{held}, "") {
			t.Errorf("held %s: the empty requirement was denied", held)
		}
	}
	if Permits(nil, ScopeProcessRead) {
		t.Error("a key with no scopes was permitted process:read")
	}
}

func TestPermitsAllNamesTheMissingScope(t *testing.T) {
	held := []Scope{ScopeCollectionCreate}
	missing, ok := PermitsAll(held, []Scope{ScopeCollectionCreate, ScopeFileUpload})
	if ok || missing != ScopeFileUpload {
		t.Fatalf("PermitsAll = %q, %v", missing, ok)
	}
	if _, ok := PermitsAll(AllScopes, AllScopes); !ok {
		t.Fatal("all scopes do not permit all scopes")
	}
}

func TestScopeKinds(t *testing.T) {
	admins := 0
	for _, s := range AllScopes {
		if !s.Known() {
			t.Errorf("%s not known", s)
		}
		if s.Admin() {
			admins++
		}
	}
	if admins != 7 {
		t.Errorf("%d admin scopes, want 7", admins)
	}
	for _, s := range []Scope{"", "workspace.collection", "workspace.collection:READ", "workspace.nope:read"} {
		if s.Known() {
			t.Errorf("%q known", s)
		}
	}
}

func TestNewIDIsValidAndOrdered(t *testing.T) {
	prev := ""
	for range 1000 {
		id := NewID()
		if !ValidID(id) {
			t.Fatalf("invalid id %q", id)
		}
		if id[:12] < prev[:min(len(prev), 12)] {
			t.Fatalf("ids not time ordered: %s after %s", id, prev)
		}
		prev = id
	}
	for _, bad := range []string{"", "ABCDEF0123456789abcdef0123456789", "0123456789abcdef0123456789abcde", "../../etc/passwd0123456789abcdef"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}
