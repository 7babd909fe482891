package hookline

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tolerance is how far a webhook's timestamp may be from the receiver's clock.
const Tolerance = 5 * time.Minute

// ErrVerification wraps every reason a webhook does not verify.
var ErrVerification = errors.New("hookline: webhook does not verify")

// Verify checks a v1 signature (secret "whsec_…") over the raw body a receiver got.
func Verify(secret string, header http.Header, body []byte) error {
	return verifyAt(secret, header, body, time.Now())
}

// VerifyAsymmetric checks a v1a signature (public key "whpk_…", Ed25519) over the raw body.
func VerifyAsymmetric(publicKey string, header http.Header, body []byte) error {
	return verifyAsymmetricAt(publicKey, header, body, time.Now())
}

func verifyAt(secret string, header http.Header, body []byte, now time.Time) error {
	content, signatures, err := signedContent(header, body, now)
	if err != nil {
		return err
	}
	key, err := decodeKey(secret, "whsec_")
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(content)
	expected := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range signatures {
		if v, ok := strings.CutPrefix(s, "v1,"); ok && hmac.Equal([]byte(v), []byte(expected)) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches this secret", ErrVerification)
}

func verifyAsymmetricAt(publicKey string, header http.Header, body []byte, now time.Time) error {
	content, signatures, err := signedContent(header, body, now)
	if err != nil {
		return err
	}
	key, err := decodeKey(publicKey, "whpk_")
	if err != nil {
		return err
	}
	if len(key) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: a whpk_ key is 32 bytes", ErrVerification)
	}
	for _, s := range signatures {
		v, ok := strings.CutPrefix(s, "v1a,")
		if !ok {
			continue
		}
		if sig, err := base64.StdEncoding.DecodeString(v); err == nil && ed25519.Verify(key, content, sig) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1a signature matches this public key", ErrVerification)
}

func signedContent(header http.Header, body []byte, now time.Time) ([]byte, []string, error) {
	id, ts, sig := header.Get("webhook-id"), header.Get("webhook-timestamp"), header.Get("webhook-signature")
	if id == "" || ts == "" || sig == "" {
		return nil, nil, fmt.Errorf("%w: missing webhook-id, webhook-timestamp or webhook-signature", ErrVerification)
	}
	seconds, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: webhook-timestamp is not a number", ErrVerification)
	}
	if d := now.Sub(time.Unix(seconds, 0)); d > Tolerance || d < -Tolerance {
		return nil, nil, fmt.Errorf("%w: webhook-timestamp is outside the tolerance", ErrVerification)
	}
	return append([]byte(id+"."+ts+"."), body...), strings.Split(sig, " "), nil
}

func decodeKey(value, prefix string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(value, prefix))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w: not a %s key", ErrVerification, prefix)
	}
	return key, nil
}
