package cleanup

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"go.uber.org/zap"

	"github.com/patchready/patchready/internal/awsclient"
)

// Remove deletes each resource in order and calls done after each one it
// deleted (or that was already gone). It stops at the first error, so
// that what is printed is exactly what was removed. Deleting a
// maintenance window deletes its targets and tasks with it.
func Remove(ctx context.Context, api API, rs []Resource, log *zap.Logger, done func(Resource)) error {
	if log == nil {
		log = zap.NewNop()
	}
	for _, r := range rs {
		var err error
		switch r.Type {
		case TypeAssociation:
			_, err = api.DeleteAssociation(ctx, &ssm.DeleteAssociationInput{AssociationId: aws.String(r.ID)})
		case TypeWindow:
			_, err = api.DeleteMaintenanceWindow(ctx, &ssm.DeleteMaintenanceWindowInput{WindowId: aws.String(r.ID)})
		case TypeDocument:
			_, err = api.DeleteDocument(ctx, &ssm.DeleteDocumentInput{Name: aws.String(r.ID)})
		default:
			return fmt.Errorf("cleanup: unknown resource type %q", r.Type)
		}
		if err != nil && !awsclient.IsNotFound(err) {
			return fmt.Errorf("delete %s %s: %w", r.Type, r.Name, err)
		}
		log.Info("deleted", zap.String("type", r.Type), zap.String("id", r.ID), zap.String("name", r.Name), zap.String("run_id", r.RunID))
		if done != nil {
			done(r)
		}
	}
	return nil
}
