package schema

import (
	"encoding/json"
	"fmt"
)

// UnmarshalJSON accepts "all" or a list of CTIDs.
func (c *CTIDSet) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s != "all" {
			return fmt.Errorf("ctids: want a list or \"all\", got %q", s)
		}
		c.All = true
		return nil
	}
	return json.Unmarshal(b, &c.List)
}

// MarshalJSON writes "all" or the list.
func (c CTIDSet) MarshalJSON() ([]byte, error) {
	if c.All {
		return []byte(`"all"`), nil
	}
	return json.Marshal(c.List)
}
