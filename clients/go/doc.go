// Package hookline is a client for the Hookline webhook delivery API and a verifier for the
// webhooks it sends.
//
//	admin := hookline.New("http://127.0.0.1:3000", os.Getenv("HOOKLINE_ADMIN_TOKEN"))
//	tenant, _ := admin.CreateTenant(ctx, hookline.CreateTenant{ID: "acme"})
//	acme := admin.WithToken(tenant.APIKey)
//	endpoint, _ := acme.CreateEndpoint(ctx, hookline.EndpointInput{URL: "https://example.com/hook", Events: []string{"signing.completed"}})
//	admin.Publish(ctx, hookline.PublishInput{TenantID: "acme", Type: "signing.completed", Data: map[string]any{"documentId": "doc_1"}})
//
// Every call takes a context; 429 and 503 answers are retried with backoff, honouring
// Retry-After; other error answers are returned as *APIError with the API's code and request id.
// List calls return one page; the Iter* methods walk every page.
package hookline
