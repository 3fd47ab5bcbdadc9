package app

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"strings"
	"testing"
)

func TestShareRoundTrip(t *testing.T) {
	for _, y := range []string{"", "name: x\nmechanism: setnx\n", strings.Repeat("faults: ü 名字 \"quotes\"\n", 300)} {
		frag := shareFragment([]byte(y))
		if strings.ContainsAny(frag, "+/=") {
			t.Errorf("fragment %q is not unpadded base64url", frag)
		}
		got, err := decodeShare(frag)
		if err != nil || string(got) != y {
			t.Errorf("decodeShare(shareFragment(%.20q)) = %.20q, %v", y, got, err)
		}
		if link := shareLink([]byte(y)); link != "/play#s="+frag {
			t.Errorf("shareLink = %q", link)
		}
	}
}

// TestShareFormat pins the encoding to raw DEFLATE + unpadded base64url, so
// that links made by any implementation of the format open here.
func TestShareFormat(t *testing.T) {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.NoCompression)
	w.Write([]byte("name: pinned\n"))
	w.Close()
	got, err := decodeShare(base64.RawURLEncoding.EncodeToString(b.Bytes()))
	if err != nil || string(got) != "name: pinned\n" {
		t.Fatalf("decoding an independently made link = %q, %v", got, err)
	}
}

func TestShareRejectsDamagedLinks(t *testing.T) {
	bomb := shareFragment(bytes.Repeat([]byte("a"), maxShared+10))
	for name, frag := range map[string]string{"not base64": "%%%", "padded": "YQ==", "not deflate": "aGVsbG8", "too big": bomb} {
		if _, err := decodeShare(frag); err == nil {
			t.Errorf("%s: decodeShare(%.20q) succeeded", name, frag)
		}
	}
}

func TestFragmentValue(t *testing.T) {
	for _, tc := range []struct{ frag, key, want string }{
		{"s=abc", "s", "abc"}, {"x=1&s=abc", "s", "abc"}, {"s=", "s", ""}, {"ss=1", "s", ""}, {"", "s", ""},
	} {
		if got := fragmentValue(tc.frag, tc.key); got != tc.want {
			t.Errorf("fragmentValue(%q, %q) = %q, want %q", tc.frag, tc.key, got, tc.want)
		}
	}
}
