package hookline

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// Tenants (admin token).

func (c *Client) CreateTenant(ctx context.Context, in CreateTenant) (*CreatedTenant, error) {
	var out CreatedTenant
	return &out, c.call(ctx, "POST", "/v1/tenants", nil, nil, in, &out, nil)
}

func (c *Client) ListTenants(ctx context.Context, limit int, cursor string) (*Page[Tenant], error) {
	var out Page[Tenant]
	return &out, c.call(ctx, "GET", "/v1/tenants", nil, query("limit", itoa(limit), "cursor", cursor), nil, &out, nil)
}

// IterTenants walks every tenant in id order.
func (c *Client) IterTenants(ctx context.Context) iter.Seq2[Tenant, error] {
	return pages(func(cursor string) (*Page[Tenant], error) { return c.ListTenants(ctx, 100, cursor) })
}

func (c *Client) GetTenant(ctx context.Context, id string) (*Tenant, error) {
	var out Tenant
	return &out, c.call(ctx, "GET", "/v1/tenants/{id}", []string{id}, nil, nil, &out, nil)
}

// SetTenantRetention overrides the deployment's retention for the tenant; nil goes back to it.
func (c *Client) SetTenantRetention(ctx context.Context, id string, retentionDays *int) (*Tenant, error) {
	var out Tenant
	return &out, c.call(ctx, "PATCH", "/v1/tenants/{id}", []string{id}, nil, map[string]any{"retentionDays": retentionDays}, &out, nil)
}

func (c *Client) DeleteTenant(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", "/v1/tenants/{id}", []string{id}, nil, nil, nil, nil)
}

func (c *Client) CreateAPIKey(ctx context.Context, tenantID string) (*CreatedAPIKey, error) {
	var out CreatedAPIKey
	return &out, c.call(ctx, "POST", "/v1/tenants/{id}/api-keys", []string{tenantID}, nil, struct{}{}, &out, nil)
}

func (c *Client) ListAPIKeys(ctx context.Context, tenantID string) (*List[APIKey], error) {
	var out List[APIKey]
	return &out, c.call(ctx, "GET", "/v1/tenants/{id}/api-keys", []string{tenantID}, nil, nil, &out, nil)
}

func (c *Client) RevokeAPIKey(ctx context.Context, tenantID, keyID string) error {
	return c.call(ctx, "DELETE", "/v1/tenants/{id}/api-keys/{keyId}", []string{tenantID, keyID}, nil, nil, nil, nil)
}

func (c *Client) GetTenantSettings(ctx context.Context, tenantID string) (TenantSettings, error) {
	var out TenantSettings
	return out, c.call(ctx, "GET", "/v1/tenants/{id}/settings", []string{tenantID}, nil, nil, &out, nil)
}

// UpdateTenantSettings sends patch as given (e.g. {"retrySchedule": "30s,5m,30m"}; a nil value resets one).
func (c *Client) UpdateTenantSettings(ctx context.Context, tenantID string, patch map[string]any) (TenantSettings, error) {
	var out TenantSettings
	return out, c.call(ctx, "PATCH", "/v1/tenants/{id}/settings", []string{tenantID}, nil, patch, &out, nil)
}

// CreatePortalSession makes a portal link for the tenant; ttlSeconds 0 is the deployment's default.
func (c *Client) CreatePortalSession(ctx context.Context, tenantID string, ttlSeconds int) (*PortalSession, error) {
	body := map[string]any{}
	if ttlSeconds > 0 {
		body["ttlSeconds"] = ttlSeconds
	}
	var out PortalSession
	return &out, c.call(ctx, "POST", "/v1/tenants/{id}/portal-sessions", []string{tenantID}, nil, body, &out, nil)
}

func (c *Client) ListPortalSessions(ctx context.Context, tenantID string) (*List[PortalSession], error) {
	var out List[PortalSession]
	return &out, c.call(ctx, "GET", "/v1/tenants/{id}/portal-sessions", []string{tenantID}, nil, nil, &out, nil)
}

func (c *Client) RevokePortalSession(ctx context.Context, tenantID, sessionID string) error {
	return c.call(ctx, "DELETE", "/v1/tenants/{id}/portal-sessions/{sessionId}", []string{tenantID, sessionID}, nil, nil, nil, nil)
}

// Events.

// Publish (admin) accepts an event for a tenant: 202 with its id.
func (c *Client) Publish(ctx context.Context, in PublishInput) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	return out.ID, c.call(ctx, "POST", "/v1/events", nil, nil, in, &out, nil)
}

func (c *Client) ListEvents(ctx context.Context, s EventSearch) (*Page[Event], error) {
	var out Page[Event]
	q := query("type", s.Type, "since", s.Since, "until", s.Until, "cursor", s.Cursor, "tenantId", s.TenantID, "limit", itoa(s.Limit), "channel", s.Channel)
	return &out, c.call(ctx, "GET", "/v1/events", nil, q, nil, &out, nil)
}

func (c *Client) IterEvents(ctx context.Context, s EventSearch) iter.Seq2[Event, error] {
	return pages(func(cursor string) (*Page[Event], error) { s.Cursor = cursor; return c.ListEvents(ctx, s) })
}

// GetEvent reads an event with its payload and deliveries; tenantID only with the admin token.
func (c *Client) GetEvent(ctx context.Context, id, tenantID string) (*Event, error) {
	var out Event
	return &out, c.call(ctx, "GET", "/v1/events/{id}", []string{id}, query("tenantId", tenantID), nil, &out, nil)
}

// Event types.

func (c *Client) ListEventTypes(ctx context.Context, archived bool) (*List[EventType], error) {
	var out List[EventType]
	q := url.Values{}
	if archived {
		q.Set("archived", "true")
	}
	return &out, c.call(ctx, "GET", "/v1/event-types", nil, q, nil, &out, nil)
}

func (c *Client) GetEventType(ctx context.Context, name string) (*EventType, error) {
	var out EventType
	return &out, c.call(ctx, "GET", "/v1/event-types/{type}", []string{name}, nil, nil, &out, nil)
}

func (c *Client) CreateEventType(ctx context.Context, in EventTypeInput) (*EventType, error) {
	var out EventType
	return &out, c.call(ctx, "POST", "/v1/event-types", nil, nil, in, &out, nil)
}

func (c *Client) UpdateEventType(ctx context.Context, name string, patch EventTypeInput) (*EventType, error) {
	var out EventType
	patch.Type = ""
	return &out, c.call(ctx, "PATCH", "/v1/event-types/{type}", []string{name}, nil, patch, &out, nil)
}

func (c *Client) ArchiveEventType(ctx context.Context, name string) (*EventType, error) {
	var out EventType
	return &out, c.call(ctx, "POST", "/v1/event-types/{type}/archive", []string{name}, nil, nil, &out, nil)
}

// Endpoints (the API's "webhooks"; tenant key or portal session).

func (c *Client) CreateEndpoint(ctx context.Context, in EndpointInput) (*CreatedEndpoint, error) {
	var out CreatedEndpoint
	return &out, c.call(ctx, "POST", "/v1/webhooks", nil, nil, in, &out, nil)
}

func (c *Client) ListEndpoints(ctx context.Context) (*List[Endpoint], error) {
	var out List[Endpoint]
	return &out, c.call(ctx, "GET", "/v1/webhooks", nil, nil, nil, &out, nil)
}

func (c *Client) GetEndpoint(ctx context.Context, id string) (*Endpoint, error) {
	var out Endpoint
	return &out, c.call(ctx, "GET", "/v1/webhooks/{id}", []string{id}, nil, nil, &out, nil)
}

func (c *Client) UpdateEndpoint(ctx context.Context, id string, patch EndpointInput) (*Endpoint, error) {
	var out Endpoint
	return &out, c.call(ctx, "PATCH", "/v1/webhooks/{id}", []string{id}, nil, patch, &out, nil)
}

func (c *Client) DeleteEndpoint(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", "/v1/webhooks/{id}", []string{id}, nil, nil, nil, nil)
}

// RotateSecret makes a new key; the old one keeps signing beside it for the grace.
func (c *Client) RotateSecret(ctx context.Context, id string, in RotateInput) (*RotatedKey, error) {
	var out RotatedKey
	return &out, c.call(ctx, "POST", "/v1/webhooks/{id}/rotate-secret", []string{id}, nil, in, &out, nil)
}

func (c *Client) GetPublicKey(ctx context.Context, id string) (string, error) {
	var out struct {
		PublicKey string `json:"publicKey"`
	}
	return out.PublicKey, c.call(ctx, "GET", "/v1/webhooks/{id}/public-key", []string{id}, nil, nil, &out, nil)
}

// TestEndpoint sends a webhook.test event; it returns the delivery's id.
func (c *Client) TestEndpoint(ctx context.Context, id string) (string, error) {
	var out struct {
		DeliveryID string `json:"deliveryId"`
	}
	return out.DeliveryID, c.call(ctx, "POST", "/v1/webhooks/{id}/test", []string{id}, nil, nil, &out, nil)
}

func (c *Client) ListEndpointDeliveries(ctx context.Context, id, status string, limit int, cursor string) (*Page[Delivery], error) {
	var out Page[Delivery]
	q := query("status", status, "limit", itoa(limit), "cursor", cursor)
	return &out, c.call(ctx, "GET", "/v1/webhooks/{id}/deliveries", []string{id}, q, nil, &out, nil)
}

// Recover re-sends the endpoint's failed or skipped deliveries in a range; idempotencyKey may be empty.
func (c *Client) Recover(ctx context.Context, id string, in RecoverInput, idempotencyKey string) (string, error) {
	var out struct {
		RecoveryID string `json:"recoveryId"`
	}
	var header http.Header
	if idempotencyKey != "" {
		header = http.Header{"Idempotency-Key": {idempotencyKey}}
	}
	return out.RecoveryID, c.call(ctx, "POST", "/v1/webhooks/{id}/recover", []string{id}, nil, in, &out, header)
}

func (c *Client) GetRecovery(ctx context.Context, id string) (*Recovery, error) {
	var out Recovery
	return &out, c.call(ctx, "GET", "/v1/recoveries/{id}", []string{id}, nil, nil, &out, nil)
}

// Deliveries.

func (c *Client) SearchDeliveries(ctx context.Context, s DeliverySearch) (*Page[Delivery], error) {
	var out Page[Delivery]
	q := query("endpointId", s.EndpointID, "eventId", s.EventID, "eventType", s.EventType, "status", s.Status, "kind", s.Kind,
		"since", s.Since, "until", s.Until, "cursor", s.Cursor, "limit", itoa(s.Limit), "channel", s.Channel)
	return &out, c.call(ctx, "GET", "/v1/deliveries", nil, q, nil, &out, nil)
}

// IterDeliveries walks every delivery the search matches, newest first.
func (c *Client) IterDeliveries(ctx context.Context, s DeliverySearch) iter.Seq2[Delivery, error] {
	return pages(func(cursor string) (*Page[Delivery], error) { s.Cursor = cursor; return c.SearchDeliveries(ctx, s) })
}

// GetDelivery reads a delivery with its attempts.
func (c *Client) GetDelivery(ctx context.Context, id string) (*Delivery, error) {
	var out Delivery
	return &out, c.call(ctx, "GET", "/v1/deliveries/{id}", []string{id}, nil, nil, &out, nil)
}

func (c *Client) Redeliver(ctx context.Context, id string) (string, error) {
	var out struct {
		DeliveryID string `json:"deliveryId"`
	}
	return out.DeliveryID, c.call(ctx, "POST", "/v1/deliveries/{id}/redeliver", []string{id}, nil, nil, &out, nil)
}

// Statistics.

// StatsQuery bounds a statistics answer: Since and Until are ISO 8601 times (default the last 24 h),
// Bucket "minute", "hour" (default) or "day"; TenantID only with the admin token.
type StatsQuery struct {
	Since, Until, Bucket, TenantID string
}

func (s StatsQuery) values() url.Values {
	return query("since", s.Since, "until", s.Until, "bucket", s.Bucket, "tenantId", s.TenantID)
}

// EndpointStats answers totals, latency percentiles and a series for one endpoint, as JSON.
func (c *Client) EndpointStats(ctx context.Context, id string, s StatsQuery) (map[string]any, error) {
	var out map[string]any
	return out, c.call(ctx, "GET", "/v1/webhooks/{id}/stats", []string{id}, s.values(), nil, &out, nil)
}

// TenantStats answers the tenant's statistics, whole and by endpoint, as JSON.
func (c *Client) TenantStats(ctx context.Context, s StatsQuery) (map[string]any, error) {
	var out map[string]any
	return out, c.call(ctx, "GET", "/v1/stats", nil, s.values(), nil, &out, nil)
}

// AdminStats answers the deployment now (admin): backlog, the last hour, failing and disabled endpoints.
func (c *Client) AdminStats(ctx context.Context) (map[string]any, error) {
	var out map[string]any
	return out, c.call(ctx, "GET", "/v1/admin/stats", nil, nil, nil, &out, nil)
}

// Operator console (admin token).

// AdminEndpoints lists failing or disabled endpoints across tenants (state "failing", "disabled" or "").
func (c *Client) AdminEndpoints(ctx context.Context, state string) (*List[map[string]any], error) {
	var out List[map[string]any]
	return &out, c.call(ctx, "GET", "/v1/admin/endpoints", nil, query("state", state), nil, &out, nil)
}

// AdminDeliveries finds deliveries by any id (delivery, event, endpoint) across tenants.
func (c *Client) AdminDeliveries(ctx context.Context, id string) (*List[map[string]any], error) {
	var out List[map[string]any]
	return &out, c.call(ctx, "GET", "/v1/admin/deliveries", nil, query("id", id), nil, &out, nil)
}

func pages[T any](fetch func(cursor string) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := ""
		for {
			page, err := fetch(cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Data {
				if !yield(item, nil) {
					return
				}
			}
			if page.NextCursor == "" {
				return
			}
			cursor = page.NextCursor
		}
	}
}
