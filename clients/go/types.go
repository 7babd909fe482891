package hookline

import "encoding/json"

// Page is one page of a list; NextCursor is empty on the last.
type Page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"nextCursor"`
}

// List is an answer that holds a whole list.
type List[T any] struct {
	Data []T `json:"data"`
}

type Tenant struct {
	ID                     string `json:"id"`
	Name                   string `json:"name"`
	CreatedAt              string `json:"createdAt"`
	RetentionDays          *int   `json:"retentionDays,omitempty"`
	EffectiveRetentionDays int    `json:"effectiveRetentionDays,omitempty"`
}

type CreateTenant struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// CreatedTenant holds the tenant's first API key, shown this once.
type CreatedTenant struct {
	Tenant
	APIKey string `json:"apiKey"`
}

type APIKey struct {
	ID        string  `json:"id"`
	Prefix    string  `json:"prefix"`
	Last4     *string `json:"last4"`
	CreatedAt string  `json:"createdAt"`
}

// CreatedAPIKey holds the key, shown this once.
type CreatedAPIKey struct {
	APIKey
	Key string `json:"apiKey"`
}

// TenantSettings is the tenant's own settings (null: the deployment's default) and, in
// "effective", what applies; kept as JSON since the settings grow. See docs/api/tenants.md.
type TenantSettings map[string]json.RawMessage

type PortalSession struct {
	ID        string  `json:"id"`
	ExpiresAt string  `json:"expiresAt"`
	RevokedAt *string `json:"revokedAt"`
	CreatedAt string  `json:"createdAt"`
	// URL is the portal link, in the answer that makes the session only.
	URL string `json:"url,omitempty"`
}

type EventType struct {
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
	Archived    bool            `json:"archived"`
}

// EventTypeInput creates or changes an event type; nil fields are left out.
type EventTypeInput struct {
	Type        string  `json:"type,omitempty"`
	Description *string `json:"description,omitempty"`
	Schema      any     `json:"schema,omitempty"`
	Example     any     `json:"example,omitempty"`
	Archived    *bool   `json:"archived,omitempty"`
}

type PublishInput struct {
	TenantID string `json:"tenantId"`
	Type     string `json:"type"`
	Data     any    `json:"data"`
	// ID makes the publish idempotent: the same id for a tenant is one event.
	ID string `json:"id,omitempty"`
	// Channels: endpoints that list channels receive the event only when they share one (at most 10).
	Channels []string `json:"channels,omitempty"`
}

type Event struct {
	ID         string          `json:"id"`
	TenantID   string          `json:"tenantId"`
	Type       string          `json:"type"`
	Data       json.RawMessage `json:"data,omitempty"`
	CreatedAt  string          `json:"createdAt"`
	Deliveries []Delivery      `json:"deliveries,omitempty"`
	Channels   []string        `json:"channels,omitempty"`
}

type Endpoint struct {
	ID                  string            `json:"id"`
	URL                 string            `json:"url"`
	Description         string            `json:"description"`
	Events              []string          `json:"events"`
	Enabled             bool              `json:"enabled"`
	ConsecutiveFailures int               `json:"consecutiveFailures"`
	DisabledAt          *string           `json:"disabledAt"`
	DisabledReason      *string           `json:"disabledReason"`
	Headers             map[string]string `json:"headers"`
	SignatureScheme     string            `json:"signatureScheme"`
	PublicKey           *string           `json:"publicKey"`
	MaxInFlight         *int              `json:"maxInFlight"`
	RateLimit           *float64          `json:"rateLimit"`
	Ordering            string            `json:"ordering"`
	// Type is "http", or a broker ("rabbitmq", "nats", "redis") whose Config says where to publish.
	Type           string         `json:"type"`
	Config         map[string]any `json:"config"`
	CredentialsSet []string       `json:"credentialsSet"`
	CreatedAt      string         `json:"createdAt"`
	UpdatedAt      string         `json:"updatedAt"`
	// Auth and TLS (HTTP endpoints): how Hookline authenticates to the receiver; nil when not set.
	Auth *EndpointAuth `json:"auth"`
	TLS  *EndpointTLS  `json:"tls"`
	// Filter is the payload filter (nil: none); Channels the channels it receives (empty: every event).
	// See docs/api/filters-and-channels.md.
	Filter   map[string]any `json:"filter"`
	Channels []string       `json:"channels"`
}

// EndpointAuth is the endpoint's auth as answers show it: never a password, token or client secret.
type EndpointAuth struct {
	Type     string `json:"type"`
	Username string `json:"username,omitempty"`
	TokenURL string `json:"tokenUrl,omitempty"`
	ClientID string `json:"clientId,omitempty"`
	Scope    string `json:"scope,omitempty"`
	Audience string `json:"audience,omitempty"`
	// ClientAuthMethod is "client_secret_post" when the client id and secret go in the token request's body.
	ClientAuthMethod string `json:"clientAuthMethod,omitempty"`
}

// EndpointTLS is the client certificate as answers show it; Warning is set within 14 days of its expiry.
type EndpointTLS struct {
	Subject          string  `json:"subject"`
	ExpiresAt        string  `json:"expiresAt"`
	Fingerprint      string  `json:"fingerprint"`
	CACertificateSet bool    `json:"caCertificateSet"`
	Warning          *string `json:"warning"`
}

// AuthInput sets an endpoint's auth: Type "basic" (Username, Password), "bearer" (Token) or
// "oauth2" (TokenURL, ClientID, ClientSecret, optional Scope, Audience and ClientAuthMethod:
// "client_secret_basic", the default, or "client_secret_post"). Write-only.
type AuthInput struct {
	Type         string `json:"type"`
	Username     string `json:"username,omitempty"`
	Password     string `json:"password,omitempty"`
	Token        string `json:"token,omitempty"`
	TokenURL     string `json:"tokenUrl,omitempty"`
	ClientID     string `json:"clientId,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	Scope        string `json:"scope,omitempty"`
	Audience     string `json:"audience,omitempty"`
	// ClientAuthMethod: "client_secret_basic" (HTTP Basic, the default) or "client_secret_post" (in the form body).
	ClientAuthMethod string `json:"clientAuthMethod,omitempty"`
}

// TLSInput sets mutual TLS: PEM client certificate and unencrypted key (write-only), and optionally a private CA.
type TLSInput struct {
	ClientCertificate string `json:"clientCertificate"`
	ClientKey         string `json:"clientKey"`
	CACertificate     string `json:"caCertificate,omitempty"`
}

// CreatedEndpoint holds the signing secret (v1), shown this once.
type CreatedEndpoint struct {
	Endpoint
	Secret string `json:"secret,omitempty"`
}

// EndpointInput creates an endpoint (URL required) or, in UpdateEndpoint, changes the fields set.
// Extra carries any other field of the API (e.g. newer options) as given.
type EndpointInput struct {
	URL             string            `json:"url,omitempty"`
	Events          []string          `json:"events,omitempty"`
	Description     *string           `json:"description,omitempty"`
	Enabled         *bool             `json:"enabled,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"`
	Secret          string            `json:"secret,omitempty"`
	SignatureScheme string            `json:"signatureScheme,omitempty"`
	MaxInFlight     *int              `json:"maxInFlight,omitempty"`
	RateLimit       *float64          `json:"rateLimit,omitempty"`
	Ordering        string            `json:"ordering,omitempty"`
	RecoverSkipped  bool              `json:"recoverSkipped,omitempty"`
	// Type, Config and Credentials make a broker endpoint (docs/api/destinations.md); URL stays empty then.
	Type        string         `json:"type,omitempty"`
	Config      map[string]any `json:"config,omitempty"`
	Credentials map[string]any `json:"credentials,omitempty"`
	// Auth and TLS set or replace them; to remove one, send Extra{"auth": nil} or Extra{"tls": nil}.
	Auth *AuthInput `json:"auth,omitempty"`
	TLS  *TLSInput  `json:"tls,omitempty"`
	// Filter and Channels set or replace them; to clear either in UpdateEndpoint, put
	// "filter": nil or "channels": []string{} in Extra.
	Filter   map[string]any `json:"filter,omitempty"`
	Channels []string       `json:"channels,omitempty"`
	Extra    map[string]any `json:"-"`
}

// MarshalJSON sends the typed fields and then Extra.
func (in EndpointInput) MarshalJSON() ([]byte, error) {
	type plain EndpointInput
	raw, err := json.Marshal(plain(in))
	if err != nil || len(in.Extra) == 0 {
		return raw, err
	}
	merged := map[string]any{}
	if err := json.Unmarshal(raw, &merged); err != nil {
		return nil, err
	}
	for k, v := range in.Extra {
		merged[k] = v
	}
	return json.Marshal(merged)
}

// RotateInput: GraceSeconds (default a day), an imported Secret, or a SignatureScheme.
type RotateInput struct {
	GraceSeconds    *int   `json:"graceSeconds,omitempty"`
	Secret          string `json:"secret,omitempty"`
	SignatureScheme string `json:"signatureScheme,omitempty"`
}

type RotatedKey struct {
	Secret    string `json:"secret,omitempty"`
	PublicKey string `json:"publicKey,omitempty"`
}

type Delivery struct {
	ID            string    `json:"id"`
	EndpointID    string    `json:"endpointId"`
	EventID       string    `json:"eventId"`
	EventType     string    `json:"eventType"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	AttemptCount  int       `json:"attemptCount"`
	LastAttemptAt *string   `json:"lastAttemptAt"`
	NextRetryAt   *string   `json:"nextRetryAt"`
	CreatedAt     string    `json:"createdAt"`
	UpdatedAt     string    `json:"updatedAt"`
	Attempts      []Attempt `json:"attempts,omitempty"`
}

type Attempt struct {
	Attempt        int     `json:"attempt"`
	StartedAt      string  `json:"startedAt"`
	DurationMs     int     `json:"durationMs"`
	ResponseStatus *int    `json:"responseStatus"`
	ResponseBody   *string `json:"responseBody"`
	Error          *string `json:"error"`
	NextRetryAt    *string `json:"nextRetryAt"`
	// Outcome is a broker attempt's code (confirmed, acked, appended, unroutable, …); nil for HTTP.
	Outcome *string `json:"outcome"`
}

// DeliverySearch filters GET /v1/deliveries; Since and Until are ISO 8601 times with a zone.
type DeliverySearch struct {
	EndpointID, EventID, EventType, Status, Kind, Since, Until, Cursor string
	Limit                                                              int
	// Channel: deliveries of events that carry it.
	Channel string
}

// EventSearch filters GET /v1/events; TenantID only with the admin token.
type EventSearch struct {
	Type, Since, Until, Cursor, TenantID string
	Limit                                int
	// Channel: events that carry it.
	Channel string
}

type RecoverInput struct {
	Since    string   `json:"since"`
	Until    string   `json:"until,omitempty"`
	Statuses []string `json:"statuses,omitempty"`
}

type Recovery struct {
	ID         string   `json:"id"`
	EndpointID string   `json:"endpointId"`
	Since      string   `json:"since"`
	Until      string   `json:"until"`
	Statuses   []string `json:"statuses"`
	Status     string   `json:"status"`
	Error      *string  `json:"error"`
	Matched    int      `json:"matched"`
	Queued     int      `json:"queued"`
	Succeeded  int      `json:"succeeded"`
	Failed     int      `json:"failed"`
	Pending    int      `json:"pending"`
	CreatedAt  string   `json:"createdAt"`
}
