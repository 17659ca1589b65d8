package ssmsim

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error answered to the client in AWS's awsJson1_1 shape.
type apiError struct {
	Code    string // the __type, e.g. "InvalidInstanceId"
	Message string
	Status  int // HTTP status; 400 unless stated
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// errorf builds a 400 client error with the given AWS error code.
func errorf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// Frequently used error constructors. The codes are the shape names of the
// SSM API model, which the SDK decodes into its typed errors.
func validationError(format string, args ...any) *apiError {
	return errorf("ValidationException", format, args...)
}

func serializationError(format string, args ...any) *apiError {
	return errorf("SerializationException", format, args...)
}

func internalError() *apiError {
	return &apiError{Code: "InternalServerError", Message: "An internal error occurred. Try again later.", Status: http.StatusInternalServerError}
}

func throttlingError() *apiError {
	return errorf("ThrottlingException", "Rate exceeded")
}

// writeError writes e as AWS does: the code in X-Amzn-ErrorType and __type,
// the text in message.
func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
}
