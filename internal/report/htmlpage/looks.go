package htmlpage

// look is how one named series (a verdict, a check status, a run state)
// is drawn: a tone (colour), a fill pattern and an icon, so that colour is
// never the only thing telling series apart, and the text of a page
// printed in black and white still does.
type look struct {
	Tone    string `json:"tone"`
	Pattern string `json:"-"`
	Icon    string `json:"icon"`
	// Blurb says in words what the series means; may be empty.
	Blurb string `json:"blurb,omitempty"`
}

// tones are the page's colours, chosen to keep 4.5:1 contrast on white
// for text and icons.
var tones = map[string]string{
	"good":    "#1a7f37",
	"warn":    "#9a6700",
	"bad":     "#cf222e",
	"neutral": "#6e7781",
	"info":    "#0969da",
	"p0":      "#8250df",
	"p1":      "#1b7c83",
	"p2":      "#953800",
	"p3":      "#bf3989",
}

// Pattern names, defined once per page (patternDefs).
const (
	patSolid  = ""
	patDiag   = "diag"
	patCross  = "cross"
	patDots   = "dots"
	patVert   = "vert"
	patHoriz  = "horiz"
	patZigzag = "zig"
)

// knownLooks give the names patchready uses today their usual meaning
// (green for compliant, red for blocked). They are presentation only: a
// name not listed here still gets a distinct look from fallbackLooks, so a
// new verdict, status or state needs no change to the page.
var knownLooks = map[string]look{
	// verdicts
	"compliant": {"good", patSolid, "✓", "meets every prerequisite"},
	"fix":       {"warn", patDiag, "⚙", "patchready can fix it through SSM"},
	"blocked":   {"bad", patCross, "✗", "cannot be fixed through SSM"},
	"unmanaged": {"neutral", patDots, "?", "not a managed node: SSM cannot see it"},
	// check statuses
	"pass":    {"good", patSolid, "✓", ""},
	"fail":    {"bad", patCross, "✗", ""},
	"unknown": {"warn", patDiag, "?", ""},
	"na":      {"neutral", patDots, "–", "does not apply"},
	// run states
	"verified":    {"good", patSolid, "✓", "read back compliant"},
	"failed":      {"bad", patCross, "✗", ""},
	"timed-out":   {"bad", patDiag, "⏱", ""},
	"not-started": {"neutral", patDots, "–", ""},
	"pending":     {"info", patVert, "…", ""},
	"requests":    {"info", patHoriz, "…", ""},
	// notes
	"note":    {"info", patSolid, "ℹ", ""},
	"warning": {"warn", patDiag, "⚠", ""},
	// agent positions
	"below floor":        {"bad", patCross, "▼", ""},
	"at or above floor":  {"good", patSolid, "▲", ""},
	"none or unreadable": {"neutral", patDots, "?", ""},
}

var fallbackLooks = []look{
	{"p0", patVert, "◆", ""},
	{"p1", patHoriz, "●", ""},
	{"p2", patZigzag, "■", ""},
	{"p3", patDots, "▲", ""},
}

// lookFor returns the look of a series name; i is the name's position
// among its kind, so that unknown names next to each other differ.
func lookFor(name string, i int) look {
	if l, ok := knownLooks[name]; ok {
		return l
	}
	return fallbackLooks[i%len(fallbackLooks)]
}

func (l look) color() string { return tones[l.Tone] }
