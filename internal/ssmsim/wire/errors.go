package wire

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Error is an AWS API error: the code the SDKs decode into typed errors,
// the message, and the HTTP status. Each protocol writes it in its own
// shape (WriteJSON for awsJson1_1).
type Error struct {
	Code    string // the error code, e.g. "InvalidInstanceId"
	Message string
	Status  int // HTTP status; 400 unless stated
	// Fields are extra members of the error shape, written beside the
	// message by the JSON protocol (Organizations' Reason, for one).
	Fields map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// WithStatus returns e answered with HTTP status code.
func (e *Error) WithStatus(code int) *Error {
	e.Status = code
	return e
}

// Errorf builds a 400 client error with the given AWS error code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// ValidationError is the ValidationException of the JSON protocols' API
// models, which the SDKs decode into their typed errors.
func ValidationError(format string, args ...any) *Error {
	return Errorf("ValidationException", format, args...)
}

// SerializationError answers a request body the server cannot read.
func SerializationError(format string, args ...any) *Error {
	return Errorf("SerializationException", format, args...)
}

// InternalError is the 500 AWS answers when it fails; the SDKs retry it.
func InternalError() *Error {
	return &Error{Code: "InternalServerError", Message: "An internal error occurred. Try again later.", Status: http.StatusInternalServerError}
}

// ThrottlingError is the JSON protocols' rate-limit answer; the SDKs retry
// it with backoff.
func ThrottlingError() *Error {
	return Errorf("ThrottlingException", "Rate exceeded")
}

// WriteJSON writes e as the awsJson1_1 protocol does: the code in
// X-Amzn-ErrorType and __type, the text in message.
func WriteJSON(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	body := map[string]string{"__type": e.Code, "message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	_ = json.NewEncoder(w).Encode(body)
}
