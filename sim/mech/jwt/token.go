package jwt

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

// Epoch is the wall-clock moment a node's clock reading 0 stands for. A
// token's iat, nbf and exp are the issuer's simulated clock mapped onto it,
// and a verifier compares them with its own simulated clock mapped the same
// way, so skew between nodes shows exactly as it would in real time stamps,
// and no node ever reads the real wall clock.
var Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Issuer is the iss claim of every token, and the name of the auth server.
const Issuer = "auth-1"

// Claims are an access token's claims: the registered ones of RFC 7519
// (iss, sub, exp, nbf, iat, jti) and the session's own.
type Claims struct {
	SID  string `json:"sid"`  // the session the token belongs to; its refreshes keep it
	Role string `json:"role"` // the user's role when the token was issued
	gojwt.RegisteredClaims
}

// Key is an HS256 signing key, named by its kid.
type Key struct {
	ID     string
	Secret string // hex; a plain value so messages carrying it stay immutable
}

// ConfiguredKey returns the key every node is configured with at deploy time
// (key k1), derived from the run's seed so runs are reproducible.
func ConfiguredKey(seed uint64) Key {
	sum := sha256.Sum256(fmt.Appendf(nil, "coordlab jwt k1 seed %d", seed))
	return Key{ID: "k1", Secret: hex.EncodeToString(sum[:])}
}

// Issue signs an access token with key. now is the issuer's own clock.
func Issue(key Key, user, sid, jti, role string, now, ttl time.Duration) (string, error) {
	at := Epoch.Add(now)
	t := gojwt.NewWithClaims(gojwt.SigningMethodHS256, Claims{SID: sid, Role: role, RegisteredClaims: gojwt.RegisteredClaims{
		Issuer:    Issuer,
		Subject:   user,
		ID:        jti,
		IssuedAt:  gojwt.NewNumericDate(at),
		NotBefore: gojwt.NewNumericDate(at),
		ExpiresAt: gojwt.NewNumericDate(at.Add(ttl)),
	}})
	t.Header["kid"] = key.ID
	return t.SignedString([]byte(key.Secret))
}

// verifyKey is a key as a verifier holds it.
type verifyKey struct {
	id      string
	secret  []byte
	retired time.Duration // local time a newer key superseded it; -1 while current
}

// Verifier checks access tokens the way every app server does, with no
// shared state: the signature against the keys it holds, exp and nbf against
// its OWN clock with a leeway, as golang-jwt's parser does.
type Verifier struct {
	parser    *gojwt.Parser
	validator *gojwt.Validator
	// checked holds tokens whose signature this server has verified, with
	// the key that signed them. The signature of the same bytes under the
	// same key cannot change, so a cached token skips only that step (and
	// the JSON decoding); the key must still be held and the claims are
	// validated again against the clock on every request, exactly as a
	// full parse would. API gateways cache verified tokens the same way.
	checked map[string]checkedToken
	now     time.Duration // the server's clock, set before each check
	keys    []verifyKey
	// keepFor is how long a superseded key still verifies: 0 drops it at once.
	keepFor time.Duration
	keyErr  string // why the key lookup failed, for the student
}

// NewVerifier returns a verifier accepting leeway of clock skew, holding
// key, and keeping a superseded key for keepFor.
func NewVerifier(key Key, leeway, keepFor time.Duration) *Verifier {
	v := &Verifier{keepFor: keepFor, keys: []verifyKey{{id: key.ID, secret: []byte(key.Secret), retired: -1}}, checked: map[string]checkedToken{}}
	opts := []gojwt.ParserOption{
		gojwt.WithValidMethods([]string{gojwt.SigningMethodHS256.Alg()}),
		gojwt.WithLeeway(leeway),
		gojwt.WithTimeFunc(func() time.Time { return Epoch.Add(v.now) }),
		gojwt.WithIssuer(Issuer),
		gojwt.WithExpirationRequired(),
	}
	v.parser = gojwt.NewParser(opts...)
	v.validator = gojwt.NewValidator(opts...)
	return v
}

// checkedToken is a token whose signature a server verified.
type checkedToken struct {
	claims *Claims // a pointer, so that validating it again allocates nothing
	kid    string
}

// maxChecked bounds the cache of verified tokens.
const maxChecked = 4096

// Rotate adds key, which becomes the current key at local time retireAt:
// the one it supersedes is retired then, and verifies for keepFor more.
func (v *Verifier) Rotate(key Key, retireAt time.Duration) {
	for _, k := range v.keys {
		if k.id == key.ID {
			return // announced before
		}
	}
	for i := range v.keys {
		if v.keys[i].retired < 0 {
			v.keys[i].retired = retireAt
		}
	}
	v.keys = append(v.keys, verifyKey{id: key.ID, secret: []byte(key.Secret), retired: -1})
}

// Held returns the ids of the keys that verify at local time now.
func (v *Verifier) Held(now time.Duration) []string {
	var ids []string
	for _, k := range v.keys {
		if k.retired < 0 || now-k.retired < v.keepFor {
			ids = append(ids, k.id)
		}
	}
	return ids
}

var errKey = errors.New("no key")

func (v *Verifier) keyFor(t *gojwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	if secret, ok := v.key(kid); ok {
		return secret, nil
	}
	return nil, errKey
}

// key returns the secret of key kid if it verifies now; if not, keyErr
// says why.
func (v *Verifier) key(kid string) ([]byte, bool) {
	for _, k := range v.keys {
		switch {
		case k.id != kid:
		case k.retired >= 0 && v.now-k.retired >= v.keepFor:
			v.keyErr = "signed with retired key " + kid
			return nil, false
		default:
			return k.secret, true
		}
	}
	v.keyErr = "signed with unknown key " + kid
	return nil, false
}

// Verify checks token at local time now. It returns the claims of a valid
// token, or why it is refused.
func (v *Verifier) Verify(token string, now time.Duration) (Claims, string) {
	v.now = now
	if ct, ok := v.checked[token]; ok {
		if _, ok := v.key(ct.kid); !ok {
			return *ct.claims, v.keyErr
		}
		return *ct.claims, v.reason(v.validator.Validate(ct.claims))
	}
	c := new(Claims)
	t, err := v.parser.ParseWithClaims(token, c, v.keyFor)
	if err == nil || errors.Is(err, gojwt.ErrTokenInvalidClaims) {
		if len(v.checked) >= maxChecked {
			clear(v.checked)
		}
		kid, _ := t.Header["kid"].(string)
		v.checked[token] = checkedToken{claims: c, kid: kid}
	}
	return *c, v.reason(err)
}

// reason explains a verification error for the student ("" for none).
func (v *Verifier) reason(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, gojwt.ErrTokenUnverifiable):
		return v.keyErr
	case errors.Is(err, gojwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, gojwt.ErrTokenExpired):
		return "token is expired"
	case errors.Is(err, gojwt.ErrTokenNotValidYet):
		return "token is not valid yet"
	case errors.Is(err, gojwt.ErrTokenMalformed):
		return "malformed token"
	}
	return err.Error()
}

// Decoded is a token as the panel shows it: header and claims decoded, not
// verified.
type Decoded struct {
	Header    map[string]any `json:"header"`
	Claims    map[string]any `json:"claims"`
	Signature string         `json:"signature"`
	// Times shows iat, nbf and exp as times on the issuer's clock.
	Times map[string]string `json:"times,omitempty"`
}

// Decode decodes a token for the panel; anything that is not a token is
// shown as it is.
func Decode(token string) any {
	t, parts, err := gojwt.NewParser().ParseUnverified(token, gojwt.MapClaims{})
	if err != nil {
		return token
	}
	d := Decoded{Header: t.Header, Claims: t.Claims.(gojwt.MapClaims), Signature: parts[2], Times: map[string]string{}}
	for _, name := range []string{"iat", "nbf", "exp"} {
		if f, ok := d.Claims[name].(float64); ok {
			d.Times[name] = (time.Unix(int64(f), 0).Sub(Epoch)).String()
		}
	}
	return d
}
