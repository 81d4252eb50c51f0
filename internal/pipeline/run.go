package pipeline

import "context"

// Run converges req.Targets in dependency order and reports every container.
func Run(ctx context.Context, req Request) Result {
	return Result{Failed: true, Msg: "pipeline: not implemented yet"}
}
