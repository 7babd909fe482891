package hookline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"
)

// The stack under test: HOOKLINE_URL and HOOKLINE_ADMIN_TOKEN (test/integration/clients.test.ts sets them).
func stack(t *testing.T) *Client {
	t.Helper()
	url, token := os.Getenv("HOOKLINE_URL"), os.Getenv("HOOKLINE_ADMIN_TOKEN")
	if url == "" || token == "" {
		t.Skip("HOOKLINE_URL and HOOKLINE_ADMIN_TOKEN name the stack these tests run against")
	}
	return New(url, token)
}

func newTenant(t *testing.T, admin *Client) (string, *Client) {
	t.Helper()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	id := "go-" + hex.EncodeToString(b)
	created, err := admin.CreateTenant(context.Background(), CreateTenant{ID: id, Name: "Go client test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.DeleteTenant(context.Background(), id) })
	return id, admin.WithToken(created.APIKey)
}

type received struct {
	header http.Header
	body   []byte
}

func receiver(t *testing.T) (string, chan received) {
	t.Helper()
	got := make(chan received, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook", got
}

func next(t *testing.T, got chan received) received {
	t.Helper()
	select {
	case r := <-got:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook arrived within 20 s")
		return received{}
	}
}

// Every operation of the OpenAPI document is called by some method, and no method calls one it lacks.
func TestClientCoversTheOpenAPIDocumentExactly(t *testing.T) {
	admin := stack(t)
	res, err := http.Get(admin.baseURL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[httpMethod(method)+" "+path] = true
		}
	}
	implemented := calledOperations(t)
	var missing, extra []string
	for op := range documented {
		if !implemented[op] {
			missing = append(missing, op)
		}
	}
	for op := range implemented {
		if !documented[op] {
			extra = append(extra, op)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("the client and /openapi.json disagree:\n  no method for: %v\n  not documented: %v", missing, extra)
	}
}

func httpMethod(m string) string {
	b := []byte(m)
	for i := range b {
		if b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// calledOperations reads this package's source: every c.call(ctx, "METHOD", "/path", …).
func calledOperations(t *testing.T) map[string]bool {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "operations.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 3 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "call" {
			return true
		}
		method, ok1 := call.Args[1].(*ast.BasicLit)
		path, ok2 := call.Args[2].(*ast.BasicLit)
		if ok1 && ok2 {
			m, _ := strconv.Unquote(method.Value)
			p, _ := strconv.Unquote(path.Value)
			ops[m+" "+p] = true
		}
		return true
	})
	return ops
}

func TestAPublishedEventArrivesSignedAndVerifies(t *testing.T) {
	ctx := context.Background()
	admin := stack(t)
	tenantID, tenant := newTenant(t, admin)
	url, got := receiver(t)
	endpoint, err := tenant.CreateEndpoint(ctx, EndpointInput{URL: url, Events: []string{"signing.completed"}})
	if err != nil {
		t.Fatal(err)
	}
	if endpoint.Secret == "" {
		t.Fatal("a v1 endpoint's create answer holds its secret")
	}
	id, err := admin.Publish(ctx, PublishInput{TenantID: tenantID, Type: "signing.completed", Data: map[string]any{"documentId": "doc_1"}, ID: "evt-go-1"})
	if err != nil || id != "evt-go-1" {
		t.Fatalf("publish: %v %q", err, id)
	}
	r := next(t, got)
	if err := Verify(endpoint.Secret, r.header, r.body); err != nil {
		t.Fatalf("a Hookline request does not verify: %v", err)
	}
	tampered := append([]byte{}, r.body...)
	tampered[len(tampered)-2] ^= 1
	if err := Verify(endpoint.Secret, r.header, tampered); !errors.Is(err, ErrVerification) {
		t.Fatalf("a changed body verified: %v", err)
	}
	if err := verifyAt(endpoint.Secret, r.header, r.body, time.Now().Add(time.Hour)); !errors.Is(err, ErrVerification) {
		t.Fatalf("an hour-old request verified: %v", err)
	}
}

func TestAV1aEndpointVerifiesWithItsPublicKey(t *testing.T) {
	ctx := context.Background()
	_, tenant := newTenant(t, stack(t))
	url, got := receiver(t)
	endpoint, err := tenant.CreateEndpoint(ctx, EndpointInput{URL: url, SignatureScheme: "v1a"})
	if err != nil {
		t.Fatal(err)
	}
	if endpoint.PublicKey == nil || endpoint.Secret != "" {
		t.Fatalf("a v1a endpoint answers a public key and no secret: %+v", endpoint)
	}
	if _, err := tenant.TestEndpoint(ctx, endpoint.ID); err != nil {
		t.Fatal(err)
	}
	r := next(t, got)
	if err := VerifyAsymmetric(*endpoint.PublicKey, r.header, r.body); err != nil {
		t.Fatalf("v1a request does not verify: %v", err)
	}
	if err := VerifyAsymmetric(*endpoint.PublicKey, r.header, append(r.body, ' ')); err == nil {
		t.Fatal("a changed body verified")
	}
}

func TestIteratorsWalkEveryPage(t *testing.T) {
	ctx := context.Background()
	admin := stack(t)
	tenantID, tenant := newTenant(t, admin)
	url, got := receiver(t)
	endpoint, err := tenant.CreateEndpoint(ctx, EndpointInput{URL: url, Events: []string{"card.viewed"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := admin.Publish(ctx, PublishInput{TenantID: tenantID, Type: "card.viewed", Data: map[string]any{"n": i}, ID: "page-" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		next(t, got)
	}
	deadline := time.Now().Add(20 * time.Second)
	var seen []Delivery
	for time.Now().Before(deadline) {
		seen = seen[:0]
		for d, err := range tenant.IterDeliveries(ctx, DeliverySearch{EndpointID: endpoint.ID, Status: "success", Limit: 1}) {
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, d)
		}
		if len(seen) == 3 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(seen) != 3 {
		t.Fatalf("iterated %d deliveries, want 3", len(seen))
	}
	full, err := tenant.GetDelivery(ctx, seen[0].ID)
	if err != nil || len(full.Attempts) != 1 || full.Attempts[0].ResponseStatus == nil || *full.Attempts[0].ResponseStatus != 204 {
		t.Fatalf("delivery with attempts: %+v %v", full, err)
	}
}

func TestErrorsCarryTheCodeAndRequestID(t *testing.T) {
	ctx := context.Background()
	_, tenant := newTenant(t, stack(t))
	_, err := tenant.CreateEndpoint(ctx, EndpointInput{URL: "not a url"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.RequestID == "" {
		t.Fatalf("bad input: %#v", err)
	}
	_, err = tenant.GetEndpoint(ctx, "ep_missing")
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || apiErr.Code != "not_found" {
		t.Fatalf("another tenant's or a missing endpoint: %#v", err)
	}
}

func TestA503IsRetriedAfterItsRetryAfter(t *testing.T) {
	var calls []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, time.Now())
		if len(calls) == 1 {
			w.Header().Set("retry-after", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":"unavailable","message":"database unavailable"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":[],"nextCursor":null}`))
	}))
	defer srv.Close()
	page, err := New(srv.URL, "t").ListTenants(context.Background(), 0, "")
	if err != nil || len(page.Data) != 0 || len(calls) != 2 || calls[1].Sub(calls[0]) < 950*time.Millisecond {
		t.Fatalf("retry: %v, %d calls", err, len(calls))
	}
}

func TestA429PastTheRetriesIsAnAPIError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("retry-after", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"code":"rate_limited","message":"slow down","requestId":"req_1"}}`))
	}))
	defer srv.Close()
	_, err := New(srv.URL, "t", WithRetries(2, time.Second)).ListTenants(context.Background(), 0, "")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "rate_limited" || apiErr.RequestID != "req_1" {
		t.Fatalf("%#v", err)
	}
}

func TestEndpointAuthIsWriteOnlyAndRemovedWithNull(t *testing.T) {
	ctx := context.Background()
	_, tenant := newTenant(t, stack(t))
	created, err := tenant.CreateEndpoint(ctx, EndpointInput{URL: "http://127.0.0.1:9/hook", Auth: &AuthInput{Type: "bearer", Token: "go-secret-token"}})
	if err != nil || created.Auth == nil || created.Auth.Type != "bearer" || created.TLS != nil {
		t.Fatalf("created with bearer auth: %+v %v", created, err)
	}
	updated, err := tenant.UpdateEndpoint(ctx, created.ID, EndpointInput{Auth: &AuthInput{Type: "basic", Username: "go-user", Password: "go-pw"}})
	if err != nil || updated.Auth == nil || updated.Auth.Username != "go-user" {
		t.Fatalf("replaced with basic auth: %+v %v", updated, err)
	}
	removed, err := tenant.UpdateEndpoint(ctx, created.ID, EndpointInput{Extra: map[string]any{"auth": nil}})
	if err != nil || removed.Auth != nil {
		t.Fatalf("removed: %+v %v", removed, err)
	}
}
