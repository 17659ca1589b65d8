package ssmsim

import (
	"encoding/json"
	"net/http"
)

// serveAdmin answers the simulator's own endpoints, which are not part of
// the SSM API:
//
//	GET  /_sim/stats          per-operation call counters (JSON)
//	POST /_sim/reset          set the counters back to zero
//	GET  /_sim/sns/messages   the SNS messages published, oldest first (JSON)
func (s *Server) serveAdmin(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.URL.Path == "/_sim/stats" && req.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"operations": s.stats.Snapshot(),
			"total":      s.stats.Total(),
		})
	case req.URL.Path == "/_sim/sns/messages" && req.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		msgs := s.Published()
		if msgs == nil {
			msgs = []PublishedMessage{}
		}
		_ = json.NewEncoder(w).Encode(msgs)
	case req.URL.Path == "/_sim/reset" && req.Method == http.MethodPost:
		s.stats.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "unknown simulator endpoint; see GET /_sim/stats", http.StatusNotFound)
	}
}
