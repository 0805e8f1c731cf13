package devshop

import "testing"

// TestMatches_Names covers order names with a suffix, which the seed has none
// of: Shopify's name search was reported to find #12-A for #1-A.
func TestMatches_Names(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
	}{
		{"#12-A", "#1-A", true},
		{"#12-A", "1-a", true},
		{"#12-A", "12-A", true},
		{"#12-A", "#1-B", false},
		{"#12-A", "2-A", false},
		{"EN1001", "EN1001", true},
		{"EN1001", "EN100", true},
		{"EN1001", "1001", false},
		{"1001-A", "1001", true},
	}
	for _, tt := range tests {
		o := &order{name: tt.name}
		if got := matches(o, searchTerm{field: "name", value: tt.value}); got != tt.want {
			t.Errorf("name:%q on %s = %v, want %v", tt.value, tt.name, got, tt.want)
		}
	}
}
