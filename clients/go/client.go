package hookline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls the API with one bearer token: the admin token, a tenant's API key, or a portal session.
type Client struct {
	baseURL      string
	token        string
	http         *http.Client
	maxRetries   int
	maxRetryWait time.Duration
}

// Option changes a Client made by New.
type Option func(*Client)

// WithHTTPClient sends requests through h (timeouts, proxies, transport).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithRetries sets how often a 429 or 503 is retried (default 3) and the longest wait between tries (default 30 s).
func WithRetries(n int, maxWait time.Duration) Option {
	return func(c *Client) { c.maxRetries, c.maxRetryWait = n, maxWait }
}

// New makes a client for the API at baseURL (e.g. "http://127.0.0.1:3000").
func New(baseURL, token string, opts ...Option) *Client {
	c := &Client{baseURL: strings.TrimRight(baseURL, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}, maxRetries: 3, maxRetryWait: 30 * time.Second}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithToken is the same client with another credential (e.g. a tenant's API key).
func (c *Client) WithToken(token string) *Client {
	copy := *c
	copy.token = token
	return &copy
}

// call sends one operation: method and path template as in the OpenAPI document, the template's
// parameters in order, then an optional query, body and answer to decode into.
func (c *Client) call(ctx context.Context, method, template string, params []string, query url.Values, body, out any, header http.Header) error {
	path := template
	for _, p := range params {
		start := strings.Index(path, "{")
		end := strings.Index(path, "}")
		if start < 0 || end < start {
			return fmt.Errorf("hookline: too many parameters for %s", template)
		}
		path = path[:start] + url.PathEscape(p) + path[end+1:]
	}
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("hookline: encoding the body of %s %s: %w", method, template, err)
		}
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("authorization", "Bearer "+c.token)
		req.Header.Set("accept", "application/json")
		if body != nil {
			req.Header.Set("content-type", "application/json")
		}
		for k, v := range header {
			req.Header[k] = v
		}
		res, err := c.http.Do(req)
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if res.StatusCode < 300 {
			if out == nil || len(raw) == 0 {
				return nil
			}
			return json.Unmarshal(raw, out)
		}
		apiErr := newAPIError(res, raw)
		if (res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable) && attempt < c.maxRetries {
			select {
			case <-time.After(c.backoff(attempt, apiErr.RetryAfter)):
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return apiErr
	}
}

func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, c.maxRetryWait)
	}
	wait := min(c.maxRetryWait, time.Duration(500<<attempt)*time.Millisecond)
	return time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
}

// APIError is an error answer of the API.
type APIError struct {
	Status     int
	Code       string
	Message    string
	RequestID  string
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("hookline: %d %s: %s", e.Status, e.Code, e.Message)
}

func newAPIError(res *http.Response, raw []byte) *APIError {
	var body struct {
		Error struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"requestId"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &body)
	e := &APIError{Status: res.StatusCode, Code: body.Error.Code, Message: body.Error.Message, RequestID: body.Error.RequestID}
	if e.Code == "" {
		e.Code = "unknown"
		e.Message = http.StatusText(res.StatusCode)
	}
	if e.RequestID == "" {
		e.RequestID = res.Header.Get("x-request-id")
	}
	if s, err := strconv.Atoi(res.Header.Get("retry-after")); err == nil && s >= 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

// query builds a query string from name/value pairs, leaving out empty values.
func query(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return q
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
