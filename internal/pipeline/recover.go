package pipeline

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// stagePanic is a panic recovered in one stage of reading a file.
type stagePanic struct {
	stage string
	value any
}

func (e *stagePanic) Error() string { return fmt.Sprintf("%s: %v", e.stage, e.value) }

// guard runs one stage of one file and turns a panic into a *stagePanic,
// logged once with its stack.
func (p *Pipeline) guard(ctx context.Context, colID, fileID, stage string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.ErrorContext(ctx, "a processing stage panicked", "collection_id", colID, "file_id", fileID,
				"stage", stage, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = &stagePanic{stage: stage, value: r}
		}
	}()
	if p.stageHook != nil {
		p.stageHook(stage, workspace.File{ID: fileID})
	}
	return fn()
}

// panicStatus is the file status after a stage panicked: Failed (F500)
// with a message a user can act on.
func panicStatus(colID string, sp *stagePanic) workspace.StatusInfo {
	return fileStatus(workspace.FileFailed, fmt.Sprintf("Crescent hit an internal error in the %s stage of this file; "+
		"it has been logged with collection id %s. The other files of the collection were processed; "+
		"upload this file again later or report the id to your administrator.", sp.stage, colID))
}

// AbandonCollection ends a collection whose job will not run again as
// Failed with message. It fails only when the database does.
func (p *Pipeline) AbandonCollection(ctx context.Context, id, message string) error {
	ok, err := p.results.AbandonCollection(ctx, id, message, p.now().UTC())
	if err != nil {
		return fmt.Errorf("abandon collection %s: %w", id, err)
	}
	if ok {
		p.log.WarnContext(ctx, "collection ended as Failed", "collection_id", id, "reason", message)
	}
	return nil
}

// ReconcileCollections ends as Failed every collection that has been
// Queued or Processing for longer than a grace period while no job that
// may still run exists for it (its job was discarded, cancelled or
// deleted). The candidates are listed before the live jobs, so a
// collection created meanwhile is never taken for stranded.
func (p *Pipeline) ReconcileCollections(ctx context.Context, live func(context.Context) (map[string]bool, error)) (int, error) {
	var candidates []string
	before := p.now().Add(-p.cfg.ReconcileGrace)
	for after := ""; ; {
		ids, err := p.results.UnfinishedCollections(ctx, before, after, 1000)
		if err != nil {
			return 0, fmt.Errorf("list unfinished collections: %w", err)
		}
		candidates = append(candidates, ids...)
		if len(ids) < 1000 {
			break
		}
		after = ids[len(ids)-1]
	}
	if len(candidates) == 0 {
		return 0, nil
	}
	alive, err := live(ctx)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, id := range candidates {
		if alive[id] {
			continue
		}
		ok, err := p.results.AbandonCollection(ctx, id, "processing stopped: the job of this collection no longer exists "+
			"or was given up. Upload the files again; if it happens again, report collection id "+id+" to your administrator.", p.now().UTC())
		if err != nil {
			return ended, fmt.Errorf("abandon collection %s: %w", id, err)
		}
		if ok {
			ended++
			p.log.WarnContext(ctx, "stranded collection ended as Failed", "collection_id", id)
		}
	}
	return ended, nil
}
