package workspace

import (
	"context"
	"time"
)

// Continuous learning settings of a process.
const (
	LearningAuto = "auto" // accepted documents teach the next ones of their supplier
	LearningOff  = "off"
)

// WithDefaults fills settings added after a configuration was stored:
// ContinuousLearning is LearningAuto when unset.
func (c ProcessConfig) WithDefaults() ProcessConfig {
	if c.ContinuousLearning == "" {
		c.ContinuousLearning = LearningAuto
	}
	return c
}

// LearningOn reports whether accepted documents of a process teach the
// next ones ("auto", the default when unset).
func (c ProcessConfig) LearningOn() bool { return c.ContinuousLearning != LearningOff }

// Memory is what one accepted document taught about one field of one
// supplier: Data is the learning package's own encoding.
type Memory struct {
	SupplierKey string
	Field       string
	Data        []byte
}

// LearningStore keeps memories per organization. Memories of a collection
// go when it is deleted.
type LearningStore interface {
	// SaveMemories replaces what the collection taught with mems.
	SaveMemories(ctx context.Context, orgID, processID, collectionID string, mems []Memory, at time.Time) error
	// Memories returns the organization's memories for any of the
	// supplier keys, newest first, at most limit.
	Memories(ctx context.Context, orgID string, supplierKeys []string, limit int) ([]Memory, error)
	// ResetLearning forgets everything learned in a process and returns
	// how many memories went.
	ResetLearning(ctx context.Context, orgID, processID string) (int, error)
}
