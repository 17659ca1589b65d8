package ssmsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"

	"github.com/patchready/patchready/internal/ssmsim/wire"
)

// pageToken is what a NextToken carries. Clients must treat tokens as
// opaque, as they must with AWS: a token names the operation, the region and
// the last key returned, and a checksum rejects tokens that were edited,
// truncated or handed to another operation or region.
type pageToken struct {
	Op     string `json:"o"`
	Region string `json:"r"`
	Last   string `json:"k"`
	// Query fingerprints the filters of the first call. AWS rejects a token
	// reused with different filters; so do we.
	Query string `json:"q,omitempty"`
	// Serial makes every token unique. Two empty pages in a row stop at
	// the same position, and botocore's paginators (AWS CLI, boto3) abort
	// when a token repeats ("The same next token was received twice").
	Serial uint64 `json:"n,omitempty"`
}

// encodeToken returns the opaque NextToken for t.
func (s *Server) encodeToken(t pageToken) string {
	t.Serial = s.tokenSerial.Add(1)
	payload, _ := json.Marshal(t) // a struct of strings always marshals
	sum := s.tokenSum(payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(sum)
}

// decodeToken checks and opens a NextToken for op in region. The error is
// InvalidNextToken, as AWS answers for tokens it did not issue.
func (s *Server) decodeToken(tok, op, region, query string) (pageToken, *wire.Error) {
	bad := wire.Errorf("InvalidNextToken", "The specified token is not valid.")
	p64, s64, ok := strings.Cut(tok, ".")
	if !ok {
		return pageToken{}, bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sum, err2 := base64.RawURLEncoding.DecodeString(s64)
	if err1 != nil || err2 != nil || string(sum) != string(s.tokenSum(payload)) {
		return pageToken{}, bad
	}
	var t pageToken
	if err := json.Unmarshal(payload, &t); err != nil || t.Op != op || t.Region != region || t.Query != query {
		return pageToken{}, bad
	}
	return t, nil
}

// tokenSum is a keyed checksum: the key is derived from the seed, so tokens
// from one simulator run are not accepted by a run with another seed.
func (s *Server) tokenSum(payload []byte) []byte {
	var key [8]byte
	binary.LittleEndian.PutUint64(key[:], s.opts.Seed^0x70c3)
	h := sha256.New()
	h.Write(key[:])
	h.Write(payload)
	return h.Sum(nil)[:12]
}

// fingerprint returns a short stable digest of a request's filters.
func fingerprint(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}
