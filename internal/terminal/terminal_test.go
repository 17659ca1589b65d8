package terminal

import (
	"errors"
	"fmt"
	"testing"
)

func TestTerminal(t *testing.T) {
	base := errors.New("access denied")
	if Is(base) || Is(nil) || Error(nil) != nil {
		t.Fatal("plain or nil errors are terminal")
	}
	wrapped := fmt.Errorf("create association: %w", Error(base))
	if !Is(wrapped) || !errors.Is(wrapped, base) || wrapped.Error() != "create association: access denied" {
		t.Fatalf("wrapped terminal error: %v (is %v)", wrapped, Is(wrapped))
	}
}
