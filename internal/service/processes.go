package service

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/crescent-idp/crescent/internal/workspace"
)

// Processes manages processes and their configuration.
type Processes struct {
	Store workspace.ProcessStore
	Blobs Blobs
	Log   *slog.Logger
	Now   func() time.Time
}

const (
	maxNameLen       = 200
	maxDataPoints    = 100
	maxColumns       = 30
	maxHintLabels    = 20
	maxPatternLen    = 500
	maxOCRLanguages  = 8
	defaultOCRLang   = "eng"
	maxLabelLen      = 100
	processKeyDenied = "a process key cannot create processes"
)

var (
	dataPointNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	ocrLanguageRe   = regexp.MustCompile(`^[a-z]{3}(_[a-z]{3,4})?$`)
)

// checkName trims and bounds a resource name.
func checkName(location, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", workspace.Invalid(location, "name must not be empty")
	}
	if len(name) > maxNameLen {
		return "", workspace.Invalid(location, fmt.Sprintf("name must be at most %d characters", maxNameLen))
	}
	return name, nil
}

// defaultConfig is a type's configuration before any change.
func defaultConfig(t workspace.ProcessType) workspace.ProcessConfig {
	dps := append([]workspace.DataPoint{}, t.DataPoints...)
	return workspace.ProcessConfig{
		ConfigID: workspace.NewID(), DataPoints: dps, AutoAccept: false,
		OCRLanguages: []string{defaultOCRLang}, UseEmbeddedInvoiceData: true, ContinuousLearning: workspace.LearningAuto,
	}
}

// Create makes a process of a built-in type, owned by the calling key. It
// fails with CodeInvalid for a bad name or unknown type and CodeForbidden
// for a process key.
func (s *Processes) Create(ctx context.Context, by workspace.Principal, name, typeID string) (workspace.Process, error) {
	if by.ProcessID != "" {
		return workspace.Process{}, workspace.Errorf(workspace.CodeForbidden, processKeyDenied)
	}
	name, err := checkName("body: name", name)
	if err != nil {
		return workspace.Process{}, err
	}
	t, ok := workspace.ProcessTypeByID(typeID)
	if !ok {
		return workspace.Process{}, workspace.Invalid("body: processTypeId", "unknown process type; see GET /api/v0.3/process-types")
	}
	now := s.Now().UTC().Truncate(time.Second)
	perms := make([]string, len(workspace.OwnerPermissions))
	for i, p := range workspace.OwnerPermissions {
		perms[i] = string(p)
	}
	p := workspace.Process{
		ID: workspace.NewID(), OrgID: by.OrgID, Name: name, TypeID: t.ID, Version: 1,
		Config: defaultConfig(t), CreatedBy: by.KeyID, CreatedAt: now, UpdatedAt: now,
		Accesses: map[string]workspace.Access{by.KeyID: {
			SubjectID: by.KeyID, Role: "owner", Permissions: perms,
			GrantedAt: now.Format(time.RFC3339), GrantedBy: by.KeyID,
		}},
	}
	if err := s.Store.CreateProcess(ctx, p); err != nil {
		return workspace.Process{}, err
	}
	return p, nil
}

// Get returns a process visible to by, or CodeNotFound.
func (s *Processes) Get(ctx context.Context, by workspace.Principal, id string) (workspace.Process, error) {
	if !workspace.ValidID(id) || !by.CanSeeProcess(id) {
		return workspace.Process{}, workspace.NotFound("process")
	}
	return s.Store.GetProcess(ctx, by.OrgID, id)
}

// Visible returns nil when the process exists and by may see it, and
// CodeNotFound otherwise; it loads nothing.
func (s *Processes) Visible(ctx context.Context, by workspace.Principal, id string) error {
	if !workspace.ValidID(id) || !by.CanSeeProcess(id) {
		return workspace.NotFound("process")
	}
	return s.Store.ProcessExists(ctx, by.OrgID, id)
}

// List returns the processes visible to by: a process key sees only its own.
func (s *Processes) List(ctx context.Context, by workspace.Principal, p workspace.Page) ([]workspace.Process, int, error) {
	return s.Store.ListProcesses(ctx, by.OrgID, by.ProcessID, p)
}

// Rename changes a process's name.
func (s *Processes) Rename(ctx context.Context, by workspace.Principal, id, name string) (workspace.Process, error) {
	name, err := checkName("body: name", name)
	if err != nil {
		return workspace.Process{}, err
	}
	return s.update(ctx, by, id, func(p *workspace.Process) error { p.Name = name; return nil })
}

func (s *Processes) update(ctx context.Context, by workspace.Principal, id string, change func(*workspace.Process) error) (workspace.Process, error) {
	p, err := s.Get(ctx, by, id)
	if err != nil {
		return p, err
	}
	if err := change(&p); err != nil {
		return p, err
	}
	p.Version++
	p.UpdatedAt = s.Now().UTC().Truncate(time.Second)
	return p, s.Store.UpdateProcess(ctx, p)
}

// Delete removes a process with everything in it: collections, files,
// results and process keys. Blobs are removed after the rows; a blob that
// cannot be removed is logged, never resurrected.
func (s *Processes) Delete(ctx context.Context, by workspace.Principal, id string) error {
	if _, err := s.Get(ctx, by, id); err != nil {
		return err
	}
	keys, err := s.Store.DeleteProcess(ctx, by.OrgID, id)
	if err != nil {
		return err
	}
	deleteBlobs(ctx, s.Blobs, s.Log, keys)
	return nil
}

// ConfigChange is a partial update of a process configuration: nil fields
// keep their value.
type ConfigChange struct {
	DataPoints             *[]workspace.DataPoint
	AutoAccept             *bool
	OCRLanguages           *[]string
	UseEmbeddedInvoiceData *bool
	ContinuousLearning     *string
}

// UpdateConfig applies c and gives the configuration a new configId. It
// fails with CodeInvalid when data points are set on a built-in type or
// are malformed, or a language code is not a tesseract code.
func (s *Processes) UpdateConfig(ctx context.Context, by workspace.Principal, id string, c ConfigChange) (workspace.Process, error) {
	return s.update(ctx, by, id, func(p *workspace.Process) error {
		t, _ := workspace.ProcessTypeByID(p.TypeID)
		if c.DataPoints != nil {
			if !t.Custom {
				if !sameDataPoints(*c.DataPoints, p.Config.DataPoints) {
					return workspace.Invalid("body: dataPoints", "the data points of a built-in process type are fixed; use a Custom process")
				}
				c.DataPoints = nil // sent back unchanged, as a read-modify-write client does
			}
		}
		if c.DataPoints != nil {
			if err := checkDataPoints(*c.DataPoints); err != nil {
				return err
			}
			p.Config.DataPoints = *c.DataPoints
		}
		if c.OCRLanguages != nil {
			if err := checkLanguages(*c.OCRLanguages); err != nil {
				return err
			}
			p.Config.OCRLanguages = *c.OCRLanguages
		}
		if c.AutoAccept != nil {
			p.Config.AutoAccept = *c.AutoAccept
		}
		if c.UseEmbeddedInvoiceData != nil {
			p.Config.UseEmbeddedInvoiceData = *c.UseEmbeddedInvoiceData
		}
		if c.ContinuousLearning != nil {
			switch *c.ContinuousLearning {
			case workspace.LearningAuto, workspace.LearningOff:
				p.Config.ContinuousLearning = *c.ContinuousLearning
			default:
				return workspace.Invalid("body: continuousLearning", `continuousLearning is "auto" or "off"`)
			}
		}
		p.Config.ConfigID = workspace.NewID()
		return nil
	})
}

// ResetConfig restores the type's default configuration.
func (s *Processes) ResetConfig(ctx context.Context, by workspace.Principal, id string) (workspace.Process, error) {
	return s.update(ctx, by, id, func(p *workspace.Process) error {
		t, _ := workspace.ProcessTypeByID(p.TypeID)
		p.Config = defaultConfig(t)
		return nil
	})
}

func checkDataPoints(dps []workspace.DataPoint) error {
	if len(dps) > maxDataPoints {
		return workspace.Invalid("body: dataPoints", fmt.Sprintf("at most %d data points", maxDataPoints))
	}
	seen := map[string]bool{}
	for i, d := range dps {
		loc := fmt.Sprintf("body: dataPoints[%d]", i)
		switch {
		case !dataPointNameRe.MatchString(d.Name):
			return workspace.Invalid(loc+".name", "names are lower-case letters, digits and _, starting with a letter, at most 64")
		case seen[d.Name]:
			return workspace.Invalid(loc+".name", fmt.Sprintf("%q is defined twice", d.Name))
		case !workspace.DataPointTypes[d.Type]:
			return workspace.Invalid(loc+".type", "type must be string, date, amount, number or table")
		case d.Type == "table" && (len(d.Columns) == 0 || len(d.Columns) > maxColumns):
			return workspace.Invalid(loc+".columns", fmt.Sprintf("a table needs 1 to %d columns", maxColumns))
		case d.Type != "table" && len(d.Columns) > 0:
			return workspace.Invalid(loc+".columns", "only tables have columns")
		}
		seen[d.Name] = true
		for j, c := range d.Columns {
			if !dataPointNameRe.MatchString(c) {
				return workspace.Invalid(fmt.Sprintf("%s.columns[%d]", loc, j), "column names follow the data point name rules")
			}
		}
		if h := d.Hints; h != nil {
			if len(h.Labels) > maxHintLabels {
				return workspace.Invalid(loc+".hints.labels", fmt.Sprintf("at most %d labels", maxHintLabels))
			}
			for j, l := range h.Labels {
				if strings.TrimSpace(l) == "" || len(l) > maxLabelLen {
					return workspace.Invalid(fmt.Sprintf("%s.hints.labels[%d]", loc, j), fmt.Sprintf("labels are 1 to %d characters", maxLabelLen))
				}
			}
			if len(h.Pattern) > maxPatternLen {
				return workspace.Invalid(loc+".hints.pattern", fmt.Sprintf("at most %d characters", maxPatternLen))
			}
			if _, err := regexp.Compile(h.Pattern); err != nil {
				return workspace.Invalid(loc+".hints.pattern", "not a valid regular expression: "+err.Error())
			}
		}
	}
	return nil
}

func checkLanguages(langs []string) error {
	if len(langs) == 0 || len(langs) > maxOCRLanguages {
		return workspace.Invalid("body: ocrLanguages", fmt.Sprintf("give 1 to %d tesseract language codes, e.g. eng, deu, pol, fra", maxOCRLanguages))
	}
	for i, l := range langs {
		if !ocrLanguageRe.MatchString(l) {
			return workspace.Invalid(fmt.Sprintf("body: ocrLanguages[%d]", i), fmt.Sprintf("%q is not a tesseract language code (e.g. eng, deu, pol, fra, chi_sim)", l))
		}
	}
	return nil
}

// sameDataPoints compares two data point lists by their JSON form.
func sameDataPoints(a, b []workspace.DataPoint) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
