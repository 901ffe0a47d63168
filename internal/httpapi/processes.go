package httpapi

import (
	"context"
	"strconv"

	"github.com/crescent-idp/crescent/internal/service"
	"github.com/crescent-idp/crescent/internal/workspace"
)

// ProcessTypeBody is a process type as listed.
type ProcessTypeBody struct {
	ID          string                `json:"id"`
	Name        string                `json:"name"`
	Description string                `json:"description"`
	DataPoints  []workspace.DataPoint `json:"dataPoints"`
}

type processTypesOutput struct {
	Body struct {
		ProcessTypes []ProcessTypeBody `json:"processTypes"`
	}
}

func (s *Server) listProcessTypes(context.Context, *struct{}) (*processTypesOutput, error) {
	out := &processTypesOutput{}
	for _, t := range workspace.ProcessTypes {
		dps := t.DataPoints
		if dps == nil {
			dps = []workspace.DataPoint{}
		}
		out.Body.ProcessTypes = append(out.Body.ProcessTypes, ProcessTypeBody{ID: t.ID, Name: t.Name, Description: t.Description, DataPoints: dps})
	}
	return out, nil
}

// ProcessBody is a process as the API shows it.
type ProcessBody struct {
	ID          string                      `json:"id"`
	Name        string                      `json:"name"`
	TypeID      string                      `json:"typeId"`
	TypeName    string                      `json:"typeName"`
	Status      string                      `json:"status"`
	Version     string                      `json:"version"`
	LastUpdated string                      `json:"lastUpdated"`
	Usage       *int64                      `json:"usage"`
	ConfigID    string                      `json:"configId"`
	OrgID       string                      `json:"orgId"`
	CreatedBy   string                      `json:"createdBy"`
	CreatedAt   string                      `json:"createdAt"`
	UpdatedAt   string                      `json:"updatedAt"`
	Accesses    map[string]workspace.Access `json:"accesses"`
}

func processBody(p workspace.Process) ProcessBody {
	t, _ := workspace.ProcessTypeByID(p.TypeID)
	acc := p.Accesses
	if acc == nil {
		acc = map[string]workspace.Access{}
	}
	return ProcessBody{
		ID: p.ID, Name: p.Name, TypeID: p.TypeID, TypeName: t.Name, Status: "Ready", Version: strconv.Itoa(p.Version),
		LastUpdated: timestamp(p.UpdatedAt), Usage: p.Usage, ConfigID: p.Config.ConfigID, OrgID: p.OrgID,
		CreatedBy: p.CreatedBy, CreatedAt: timestamp(p.CreatedAt), UpdatedAt: timestamp(p.UpdatedAt), Accesses: acc,
	}
}

type processOutput struct{ Body ProcessBody }

func processResult(p workspace.Process, err error) (*processOutput, error) {
	if err != nil {
		return nil, err
	}
	return &processOutput{Body: processBody(p)}, nil
}

type createProcessInput struct {
	Body struct {
		Name          string `json:"name" maxLength:"200" doc:"The process name."`
		ProcessTypeID string `json:"processTypeId" maxLength:"64" doc:"One of GET /api/v0.3/process-types."`
	}
}

func (s *Server) createProcess(ctx context.Context, in *createProcessInput) (*processOutput, error) {
	return processResult(s.deps.Processes.Create(ctx, principal(ctx), in.Body.Name, in.Body.ProcessTypeID))
}

type processListOutput struct {
	Body struct {
		Processes  []ProcessBody `json:"processes"`
		Pagination Pagination    `json:"pagination"`
	}
}

func (s *Server) listProcesses(ctx context.Context, in *struct{ PageQuery }) (*processListOutput, error) {
	ps, total, err := s.deps.Processes.List(ctx, principal(ctx), in.page())
	if err != nil {
		return nil, err
	}
	out := &processListOutput{}
	out.Body.Processes = make([]ProcessBody, len(ps))
	for i, p := range ps {
		out.Body.Processes[i] = processBody(p)
	}
	out.Body.Pagination = in.pagination(total)
	return out, nil
}

type processIDInput struct {
	PID string `path:"pid" maxLength:"64" doc:"The process id."`
}

func (s *Server) getProcess(ctx context.Context, in *processIDInput) (*processOutput, error) {
	return processResult(s.deps.Processes.Get(ctx, principal(ctx), in.PID))
}

type renameProcessInput struct {
	PID  string `path:"pid" maxLength:"64"`
	Body struct {
		Name string `json:"name" maxLength:"200"`
	}
}

func (s *Server) renameProcess(ctx context.Context, in *renameProcessInput) (*processOutput, error) {
	return processResult(s.deps.Processes.Rename(ctx, principal(ctx), in.PID, in.Body.Name))
}

func (s *Server) deleteProcess(ctx context.Context, in *processIDInput) (*struct{}, error) {
	return nil, s.deps.Processes.Delete(ctx, principal(ctx), in.PID)
}

type configOutput struct{ Body workspace.ProcessConfig }

func (s *Server) getProcessConfig(ctx context.Context, in *processIDInput) (*configOutput, error) {
	p, err := s.deps.Processes.Get(ctx, principal(ctx), in.PID)
	if err != nil {
		return nil, err
	}
	return &configOutput{Body: p.Config}, nil
}

type putConfigInput struct {
	PID  string `path:"pid" maxLength:"64"`
	Body struct {
		ConfigID               string                 `json:"configId,omitempty" doc:"Ignored: every change gets a new configId."`
		DataPoints             *[]workspace.DataPoint `json:"dataPoints,omitempty" maxItems:"100" doc:"Custom processes only."`
		AutoAccept             *bool                  `json:"autoAccept,omitempty"`
		OCRLanguages           *[]string              `json:"ocrLanguages,omitempty" maxItems:"8"`
		UseEmbeddedInvoiceData *bool                  `json:"useEmbeddedInvoiceData,omitempty"`
		ContinuousLearning     *string                `json:"continuousLearning,omitempty" enum:"auto,off" doc:"auto: an accepted document teaches where its supplier's values stand; off: nothing is learned."`
	}
}

func (s *Server) putProcessConfig(ctx context.Context, in *putConfigInput) (*configOutput, error) {
	p, err := s.deps.Processes.UpdateConfig(ctx, principal(ctx), in.PID, service.ConfigChange{
		DataPoints: in.Body.DataPoints, AutoAccept: in.Body.AutoAccept, OCRLanguages: in.Body.OCRLanguages,
		UseEmbeddedInvoiceData: in.Body.UseEmbeddedInvoiceData, ContinuousLearning: in.Body.ContinuousLearning,
	})
	if err != nil {
		return nil, err
	}
	return &configOutput{Body: p.Config}, nil
}

func (s *Server) resetProcessConfig(ctx context.Context, in *processIDInput) (*processOutput, error) {
	return processResult(s.deps.Processes.ResetConfig(ctx, principal(ctx), in.PID))
}

type learningResetOutput struct {
	Body struct {
		Forgotten int `json:"forgotten" doc:"How many memories were removed."`
	}
}

func (s *Server) resetLearning(ctx context.Context, in *processIDInput) (*learningResetOutput, error) {
	n, err := s.deps.Learning.Reset(ctx, principal(ctx), in.PID)
	if err != nil {
		return nil, err
	}
	out := &learningResetOutput{}
	out.Body.Forgotten = n
	return out, nil
}

// Process keys.

type createProcessKeyInput struct {
	PID string `path:"pid" maxLength:"64"`
	createAPIKeyInput
}

func (s *Server) createProcessKey(ctx context.Context, in *createProcessKeyInput) (*apiKeyOutput, error) {
	b := in.Body
	return createdKeyOutput(s.deps.Keys.Create(ctx, principal(ctx), service.CreateKeyInput{
		Name: b.Name, ExpiresAt: b.Exp, Scopes: b.Scopes, ProcessID: in.PID}))
}

type listProcessKeysInput struct {
	PID string `path:"pid" maxLength:"64"`
	PageQuery
}

func (s *Server) listProcessKeys(ctx context.Context, in *listProcessKeysInput) (*apiKeyListOutput, error) {
	if !workspace.ValidID(in.PID) {
		return nil, workspace.NotFound("process")
	}
	return s.keyList(ctx, in.PID, in.PageQuery)
}

type processKeyIDInput struct {
	PID string `path:"pid" maxLength:"64"`
	ID  string `path:"id" maxLength:"64"`
}

func (s *Server) deleteProcessKey(ctx context.Context, in *processKeyIDInput) (*struct{}, error) {
	if !workspace.ValidID(in.PID) {
		return nil, workspace.NotFound("process")
	}
	return nil, s.deps.Keys.Delete(ctx, principal(ctx), in.PID, in.ID)
}
