// Package password hashes staff passwords with argon2id, with docs/SECURITY.md's
// parameters, in the PHC string format.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	returns "github.com/returnsportal/returns"
	"golang.org/x/crypto/argon2"
)

// Parameters of new hashes (OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane).
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// Hasher implements returns.PasswordHasher.
type Hasher struct{}

var _ returns.PasswordHasher = Hasher{}

var b64 = base64.RawStdEncoding

// Hash returns the argon2id hash of password with a new random salt, e.g.
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>". The whole password is hashed:
// nothing is truncated.
func (Hasher) Hash(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, passes, memoryKiB, lanes, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches hash, comparing in constant time. A
// hash it cannot read never matches. The parameters come from the hash, so hashes
// made with other parameters keep working.
func (Hasher) Verify(hash, password string) bool {
	p, err := parse(hash)
	if err != nil {
		return false
	}
	key := argon2.IDKey([]byte(password), p.salt, p.passes, p.memory, p.lanes, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

type params struct {
	memory, passes uint32
	lanes          uint8
	salt, key      []byte
}

func parse(hash string) (params, error) {
	var p params
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, errors.New("not an argon2id hash")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.passes, &p.lanes); err != nil {
		return p, fmt.Errorf("argon2id parameters: %w", err)
	}
	// Bounds keep a tampered hash from making Verify use gigabytes or hours.
	if p.memory < 8*1024 || p.memory > 256*1024 || p.passes < 1 || p.passes > 10 || p.lanes < 1 || p.lanes > 8 {
		return p, errors.New("argon2id parameters out of range")
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, errors.New("argon2id salt")
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, errors.New("argon2id key")
	}
	return p, nil
}
