package jwt

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

const sec = time.Second

var (
	k1 = Key{ID: "k1", Secret: "first secret of thirty-two bytes!"}
	k2 = Key{ID: "k2", Secret: "second secret, also long enough.."}
)

func issue(t *testing.T, k Key, now, ttl time.Duration) string {
	t.Helper()
	tok, err := Issue(k, "user-1", "s1", "j1", "user", now, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIssueIsDeterministic(t *testing.T) {
	a, b := issue(t, k1, 10*sec, 30*sec), issue(t, k1, 10*sec, 30*sec)
	if a != b {
		t.Fatalf("the same claims signed twice gave %s and %s", a, b)
	}
	d := Decode(a).(Decoded)
	if d.Header["kid"] != "k1" || d.Header["alg"] != "HS256" || d.Claims["sid"] != "s1" || d.Claims["sub"] != "user-1" ||
		d.Times["iat"] != "10s" || d.Times["exp"] != "40s" {
		t.Fatalf("decoded %+v", d)
	}
}

// tamper re-encodes the token's claims with role admin, keeping the
// original header and signature: what an attacker editing a token does.
func tamper(t *testing.T, tok string) string {
	parts := strings.Split(tok, ".")
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(string(claims), `"role":"user"`, `"role":"admin"`, 1)
	if forged == string(claims) {
		t.Fatalf("no role claim in %s", claims)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(forged))
	return strings.Join(parts, ".")
}

func TestVerify(t *testing.T) {
	valid := issue(t, k1, 10*sec, 30*sec) // iat = nbf = 10s, exp = 40s on the issuer's clock
	long := issue(t, k1, 10*sec, time.Hour)
	otherAlg := func() string {
		tok := gojwt.NewWithClaims(gojwt.SigningMethodHS384, gojwt.RegisteredClaims{Issuer: Issuer, ExpiresAt: gojwt.NewNumericDate(Epoch.Add(time.Hour))})
		tok.Header["kid"] = "k1"
		s, _ := tok.SignedString([]byte(k1.Secret))
		return s
	}()
	none := func() string {
		tok := gojwt.NewWithClaims(gojwt.SigningMethodNone, gojwt.RegisteredClaims{Issuer: Issuer, ExpiresAt: gojwt.NewNumericDate(Epoch.Add(time.Hour))})
		s, _ := tok.SignedString(gojwt.UnsafeAllowNoneSignatureType)
		return s
	}()
	sig := strings.LastIndexByte(valid, '.') + 1
	other := "A"
	if valid[sig] == 'A' {
		other = "B"
	}
	flipped := valid[:sig] + other + valid[sig+1:] // the first signature byte changes
	cases := []struct {
		name    string
		token   string
		leeway  time.Duration
		keepFor time.Duration
		rotate  time.Duration // rotate to k2 at this local time (0: never)
		now     time.Duration
		want    string
	}{
		{"valid", valid, 0, 0, 0, 20 * sec, ""},
		{"valid until its last instant", valid, 0, 0, 0, 40*sec - 1, ""},
		{"expired on this server's clock", valid, 0, 0, 0, 40 * sec, "token is expired"},
		{"expired but within the leeway", valid, 5 * sec, 0, 0, 44 * sec, ""},
		{"expired beyond the leeway", valid, 5 * sec, 0, 0, 45 * sec, "token is expired"},
		{"a server behind the issuer: not valid yet", valid, 0, 0, 0, 9500 * time.Millisecond, "token is not valid yet"},
		{"a server behind the issuer, within the leeway", valid, sec, 0, 0, 9500 * time.Millisecond, ""},
		{"tampered claims", tamper(t, valid), 0, 0, 0, 20 * sec, "bad signature"},
		{"tampered signature", flipped, 0, 0, 0, 20 * sec, "bad signature"},
		{"forged with a guessed secret under the right kid", issue(t, Key{ID: "k1", Secret: "guess"}, 10*sec, 30*sec), 0, 0, 0, 20 * sec, "bad signature"},
		{"signed with an unknown key", issue(t, Key{ID: "k9", Secret: k1.Secret}, 10*sec, 30*sec), 0, 0, 0, 20 * sec, "signed with unknown key k9"},
		{"signed with a retired key", long, 0, 0, 15 * sec, 20 * sec, "signed with retired key k1"},
		{"a retired key kept while its tokens live", long, 0, time.Hour, 15 * sec, 20 * sec, ""},
		{"a kept key dropped after keepFor", long, 0, 10 * sec, 15 * sec, 25 * sec, "signed with retired key k1"},
		{"the new key verifies after rotation", issue(t, k2, 16*sec, 30*sec), 0, 0, 15 * sec, 20 * sec, ""},
		{"another algorithm is refused", otherAlg, 0, 0, 0, 20 * sec, "bad signature"},
		{"alg none is refused", none, 0, 0, 0, 20 * sec, "bad signature"},
		{"not a token", "hello", 0, 0, 0, 20 * sec, "malformed token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := NewVerifier(k1, c.leeway, c.keepFor)
			if c.rotate > 0 {
				v.Rotate(k2, c.rotate)
			}
			claims, reason := v.Verify(c.token, c.now)
			if reason != c.want {
				t.Fatalf("Verify at %v = %q, want %q", c.now, reason, c.want)
			}
			if c.want == "" && claims.SID != "s1" {
				t.Fatalf("claims %+v", claims)
			}
			// Asking again (now from the cache of verified tokens) gives the same answer.
			if _, again := v.Verify(c.token, c.now); again != reason {
				t.Fatalf("second Verify = %q, first %q", again, reason)
			}
		})
	}
}

// TestCachedVerificationMatchesAFreshOne: over random tokens, times and
// rotations, a verifier that has seen a token before answers exactly as one
// that parses it from scratch.
func TestCachedVerificationMatchesAFreshOne(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		leeway := time.Duration(r.IntN(3)) * sec
		keep := time.Duration(r.IntN(2)) * 20 * sec
		warm := NewVerifier(k1, leeway, keep)
		var tokens []string
		for i := 0; i < 6; i++ {
			k := k1
			if r.IntN(2) == 0 {
				k = k2
			}
			tok := issue(t, k, time.Duration(r.IntN(30))*sec, time.Duration(1+r.IntN(30))*sec)
			if r.IntN(4) == 0 {
				tok = tamper(t, tok)
			}
			tokens = append(tokens, tok)
		}
		rotateAt := time.Duration(r.IntN(60)) * sec
		rotated := false
		for now := time.Duration(0); now < 70*sec; now += time.Duration(1+r.IntN(3000)) * time.Millisecond {
			if !rotated && now >= rotateAt {
				warm.Rotate(k2, now)
				rotated = true
			}
			fresh := NewVerifier(k1, leeway, keep)
			if rotated {
				fresh.Rotate(k2, rotateAt)
				fresh.keys = append([]verifyKey(nil), warm.keys...)
			}
			tok := tokens[r.IntN(len(tokens))]
			_, got := warm.Verify(tok, now)
			_, want := fresh.Verify(tok, now)
			if got != want {
				t.Fatalf("seed %d at %v: cached verifier says %q, a fresh one %q", seed, now, got, want)
			}
		}
	}
}
