package awsclient

import (
	"fmt"

	"github.com/aws/smithy-go/logging"
	"go.uber.org/zap"
)

// sdkLogger forwards the SDK's log lines (retry notices) to zap at debug
// level: they explain slow runs, but are noise at info.
type sdkLogger struct{ log *zap.Logger }

func (l sdkLogger) Logf(class logging.Classification, format string, v ...any) {
	if ce := l.log.Check(zap.DebugLevel, "aws sdk"); ce != nil {
		ce.Write(zap.String("class", string(class)), zap.String("text", fmt.Sprintf(format, v...)))
	}
}
