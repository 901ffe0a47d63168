package httpapi

import (
	"strings"
	"testing"

	"github.com/crescent-idp/crescent/internal/store/storetest"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// Every JSON body is decoded strictly: exact field names, each field once,
// valid UTF-8; unknown fields stay refused.
func TestJSONBodiesAreDecodedStrictly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dbURL string) {
		h := newHarness(t, dbURL, DefaultConfig)
		pid := h.process("Invoices", workspace.ProcessTypeInvoices)
		cid := "" // a collection, for PATCH
		pdf := fixture(t, "invoice-a.pdf")
		cid = h.upload(pid, h.admin, nil, nil, part{"file", "a.pdf", pdf}).json(t)["id"].(string)
		typ := `"processTypeId":"` + workspace.ProcessTypeInvoices + `"`
		for _, c := range []struct {
			name, method, path, body, want string
		}{
			{"name in capitals", "POST", "/api/v0.3/processes", `{"NAME":"x",` + typ + `}`, `did you mean \"name\"`},
			{"field twice", "POST", "/api/v0.3/processes", `{"name":"x","name":"y",` + typ + `}`, `appears twice`},
			{"invalid UTF-8", "POST", "/api/v0.3/processes", "{\"name\":\"x\xff\"," + typ + `}`, `UTF-8`},
			{"lone surrogate", "POST", "/api/v0.3/processes", `{"name":"x\udc00",` + typ + `}`, `surrogate`},
			{"unknown field", "POST", "/api/v0.3/processes", `{"name":"x","bogus":1,` + typ + `}`, `extra fields not permitted`},
			{"nested name in capitals", "PUT", "/api/v0.3/processes/" + pid + "/config", `{"ocrLanguages":["eng"],"AutoAccept":true}`, `did you mean \"autoAccept\"`},
			{"key scopes in capitals", "POST", "/api/v0.4/admin/api-keys", `{"name":"k","Scopes":["workspace.process:read"]}`, `did you mean \"scopes\"`},
			{"metadata key twice", "PATCH", "/api/v0.3/collections/" + cid, `{"metadata":{"a":"1","a":"2"}}`, `appears twice`},
			{"deep nesting", "PATCH", "/api/v0.3/collections/" + cid, `{"metadata":{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`, `nests`},
		} {
			r := h.do(c.method, c.path, h.admin, c.body)
			assertEnvelope(t, r, 400, "RequestValidationError")
			if !strings.Contains(string(r.body), c.want) {
				t.Errorf("%s: want %q in %s", c.name, c.want, r.body)
			}
		}
		if n := int(h.do("GET", "/api/v0.3/processes", h.admin, nil).json(t)["pagination"].(map[string]any)["total"].(float64)); n != 1 {
			t.Fatalf("%d processes after refused bodies, want 1", n)
		}

		// The multipart metadata field and the metadata query use the same decoder.
		r := h.upload(pid, h.admin, nil, map[string]string{"metadata": `{"a":"1","a":"2"}`}, part{"file", "a.pdf", pdf})
		assertEnvelope(t, r, 400, "RequestValidationError")
		r = h.do("GET", "/api/v0.3/processes/"+pid+"/collections?metadata=%7B%22a%22%3A%221%22%2C%22a%22%3A%222%22%7D", h.admin, nil)
		assertEnvelope(t, r, 400, "RequestValidationError")

		// Exact bodies still work.
		if r := h.do("POST", "/api/v0.3/processes", h.admin, `{"name":"y\u00e9\ud83d\ude00",`+typ+`}`); r.status != 201 || r.json(t)["name"] != "yé😀" {
			t.Fatalf("valid body: %d %s", r.status, r.body)
		}
	})
}
