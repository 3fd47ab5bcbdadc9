package app

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// A scenario is shared as /play#s= followed by its YAML compressed with raw
// DEFLATE (RFC 1951, compress/flate) and encoded as unpadded base64url
// (RFC 4648 section 5). The fragment never reaches a server, so a shared
// scenario stays between the people who pass the link around.

// maxShared bounds the YAML a link may expand to, so that a crafted link
// cannot make the tab inflate gigabytes.
const maxShared = 256 << 10

// shareFragment returns the fragment value for yaml (without "s=").
func shareFragment(yaml []byte) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(yaml)
	w.Close()
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// shareLink returns the playground path that opens yaml.
func shareLink(yaml []byte) string { return "/play#s=" + shareFragment(yaml) }

// decodeShare reverses shareFragment.
func decodeShare(fragment string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(fragment)
	if err != nil {
		return nil, fmt.Errorf("the link is damaged: it is not base64url (%v)", err)
	}
	r := flate.NewReader(bytes.NewReader(raw))
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, maxShared+1))
	if err != nil {
		return nil, fmt.Errorf("the link is damaged: its scenario does not decompress (%v)", err)
	}
	if len(out) > maxShared {
		return nil, errors.New("the link's scenario is larger than 256 KiB; share it as a file instead")
	}
	return out, nil
}

// fragmentValue returns the value of key in a URL fragment such as
// "s=abc&x=1", or "".
func fragmentValue(fragment, key string) string {
	for len(fragment) > 0 {
		var part string
		part, fragment, _ = cut(fragment, '&')
		if k, v, ok := cut(part, '='); ok && k == key {
			return v
		}
	}
	return ""
}

func cut(s string, sep byte) (before, after string, found bool) {
	if i := bytes.IndexByte([]byte(s), sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}
