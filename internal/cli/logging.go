package cli

import (
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// newLogger builds the logger for one command: to stderr (above the
// progress bar while one is drawn), never sampled (the log is the audit
// trail of what patchready did to a fleet), coloured only on a terminal
// and never with --no-color or NO_COLOR.
func newLogger(g *GlobalOptions, ios *IOStreams) (*zap.Logger, error) {
	var level zapcore.Level
	if err := level.UnmarshalText([]byte(g.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", g.LogLevel)
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	switch g.LogFormat {
	case "json":
		enc = zapcore.NewJSONEncoder(encCfg)
	case "console":
		encCfg.EncodeLevel = zapcore.CapitalLevelEncoder
		if ios.ColorErr() {
			encCfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		}
		enc = zapcore.NewConsoleEncoder(encCfg)
	default:
		return nil, fmt.Errorf("--log-format %q: use console or json", g.LogFormat)
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(ios.LogWriter()), level)
	return zap.New(core), nil
}
