package qa

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/tarjuma/tarjuma"
)

// Metrics counts the flags of stored versions, so a dashboard sees how drafts fare (numbers
// lost in translation, terms in the wrong case) per language without reading the database.
type Metrics struct {
	flags *prometheus.CounterVec
}

// NewMetrics registers tarjuma_qa_flags_total{kind,lang} with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	return &Metrics{flags: promauto.With(reg).NewCounterVec(prometheus.CounterOpts{
		Name: "tarjuma_qa_flags_total",
		Help: "Quality-check flags of the versions stored, by kind and language; each version counts once, when it is stored.",
	}, []string{"kind", "lang"})}
}

// Count adds the flags of v, a version just stored. The store calls it once per version it
// stores (see store.OnVersionStored), so a re-run task or a refused save counts nothing.
func (m *Metrics) Count(v tarjuma.Version) {
	for _, s := range v.Segments {
		for _, f := range s.Flags {
			m.flags.WithLabelValues(string(f.Kind), string(v.Lang)).Inc()
		}
	}
}
