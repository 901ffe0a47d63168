package workspace

import "strings"

// Scope is one permission an API key can hold, such as
// "workspace.collection:read".
type Scope string

// The 28 scopes of the catalogue.
const (
	ScopeCollectionCreate         Scope = "workspace.collection:create"
	ScopeCollectionRead           Scope = "workspace.collection:read"
	ScopeCollectionUpdate         Scope = "workspace.collection:update"
	ScopeCollectionDelete         Scope = "workspace.collection:delete"
	ScopeCollectionEditorOverride Scope = "workspace.collection_editor:override"
	ScopeFileUpload               Scope = "workspace.file:upload"
	ScopeFileDownload             Scope = "workspace.file:download"
	ScopeResultCreate             Scope = "workspace.result:create"
	ScopeResultRead               Scope = "workspace.result:read"
	ScopeResultUpdate             Scope = "workspace.result:update"
	ScopeResultDelete             Scope = "workspace.result:delete"
	ScopeProcessCreate            Scope = "workspace.process:create"
	ScopeProcessRead              Scope = "workspace.process:read"
	ScopeProcessUpdate            Scope = "workspace.process:update"
	ScopeProcessDelete            Scope = "workspace.process:delete"
	ScopeProcessAPIKeyManage      Scope = "workspace.process.api_key:manage"
	ScopeExportCreate             Scope = "workspace.export:create"
	ScopeExportDelete             Scope = "workspace.export:delete"
	ScopeDestinationCreate        Scope = "workspace.destination:create"
	ScopeDestinationRead          Scope = "workspace.destination:read"
	ScopeDestinationDelete        Scope = "workspace.destination:delete"
	ScopeAdminUserRead            Scope = "workspace.admin.user:read"
	ScopeAdminUserInvite          Scope = "workspace.admin.user:invite"
	ScopeAdminUserManage          Scope = "workspace.admin.user:manage"
	ScopeAdminCollectionManage    Scope = "workspace.admin.collection:manage"
	ScopeAdminProcessManage       Scope = "workspace.admin.process:manage"
	ScopeAdminAPIKeyManage        Scope = "workspace.admin.api_key:manage"
	ScopeAdminSubscriptionsManage Scope = "workspace.admin.subscriptions:manage"
)

// AllScopes lists the catalogue in a stable order.
var AllScopes = []Scope{
	ScopeCollectionCreate, ScopeCollectionRead, ScopeCollectionUpdate, ScopeCollectionDelete,
	ScopeCollectionEditorOverride, ScopeFileUpload, ScopeFileDownload,
	ScopeResultCreate, ScopeResultRead, ScopeResultUpdate, ScopeResultDelete,
	ScopeProcessCreate, ScopeProcessRead, ScopeProcessUpdate, ScopeProcessDelete,
	ScopeProcessAPIKeyManage, ScopeExportCreate, ScopeExportDelete,
	ScopeDestinationCreate, ScopeDestinationRead, ScopeDestinationDelete,
	ScopeAdminUserRead, ScopeAdminUserInvite, ScopeAdminUserManage,
	ScopeAdminCollectionManage, ScopeAdminProcessManage, ScopeAdminAPIKeyManage,
	ScopeAdminSubscriptionsManage,
}

var knownScopes = func() map[Scope]bool {
	m := make(map[Scope]bool, len(AllScopes))
	for _, s := range AllScopes {
		m[s] = true
	}
	return m
}()

// Known reports whether s is in the catalogue.
func (s Scope) Known() bool { return knownScopes[s] }

// Admin reports whether s is one of the workspace.admin.* scopes, which a
// process key may not hold.
func (s Scope) Admin() bool { return strings.HasPrefix(string(s), "workspace.admin.") }

// Permits reports whether a holder of the scopes held may do what needs
// requires. The empty scope is required by routes open to any valid key.
// Scopes are exact: no scope implies another.
func Permits(held []Scope, needs Scope) bool {
	if needs == "" {
		return true
	}
	for _, h := range held {
		if h == needs {
			return true
		}
	}
	return false
}

// PermitsAll reports whether held includes every scope of wanted. It returns
// the first missing scope when it does not.
func PermitsAll(held, wanted []Scope) (Scope, bool) {
	for _, w := range wanted {
		if !Permits(held, w) {
			return w, false
		}
	}
	return "", true
}
