package shopify

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/returnsportal/returns"
)

var (
	//go:embed history_definition.graphql
	historyDefinitionQuery string
	//go:embed create_history_definition.graphql
	createHistoryDefinitionOperation string
)

// historyDefinitionName is the name Shopify admin shows the order history
// metafield under.
const historyDefinitionName = "Returns history"

// EnsureHistoryDefinition makes sure the order metafield definition of the
// returns history ($app:returns.history, json) exists, pinned so that admin
// shows it on the order page, and reports whether it made it now. A
// definition made meanwhile by another start (TAKEN) counts as there.
func (c *Client) EnsureHistoryDefinition(ctx context.Context) (created bool, err error) {
	resp, err := call[historyDefinitionResponse](ctx, c, "HistoryDefinition", historyDefinitionQuery,
		map[string]any{"namespace": returns.HistoryNamespace, "key": returns.HistoryKey})
	if err != nil {
		return false, err
	}
	if len(resp.MetafieldDefinitions.Nodes) > 0 {
		return false, nil
	}
	made, err := call[createHistoryDefinitionResponse](ctx, c, "CreateHistoryDefinition", createHistoryDefinitionOperation,
		map[string]any{"definition": map[string]any{
			"ownerType":   "ORDER",
			"namespace":   returns.HistoryNamespace,
			"key":         returns.HistoryKey,
			"type":        historyType,
			"name":        historyDefinitionName,
			"description": "The returns portal's record of this order's returns, step by step. Edits of the order's note do not change it.",
			"pin":         true,
		}})
	if err != nil {
		return false, err
	}
	p := made.MetafieldDefinitionCreate
	if p == nil {
		return false, fmt.Errorf("shopify CreateHistoryDefinition: missing mutation payload")
	}
	if len(p.UserErrors) == 0 {
		return true, nil
	}
	var msgs []string
	for _, e := range p.UserErrors {
		if deref(e.Code) == "TAKEN" {
			return false, nil
		}
		msgs = append(msgs, strings.Join(e.Field, ".")+": "+e.Message+" ("+deref(e.Code)+")")
	}
	return false, fmt.Errorf("shopify CreateHistoryDefinition: metafieldDefinitionCreate userErrors: %s", strings.Join(msgs, "; "))
}

type historyDefinitionResponse struct {
	MetafieldDefinitions struct {
		Nodes []struct {
			ID string `json:"id"`
		} `json:"nodes"`
	} `json:"metafieldDefinitions"`
}

type createHistoryDefinitionResponse struct {
	MetafieldDefinitionCreate *struct {
		UserErrors []struct {
			Field   []string `json:"field"`
			Message string   `json:"message"`
			Code    *string  `json:"code"`
		} `json:"userErrors"`
	} `json:"metafieldDefinitionCreate"`
}
