package database_test

import (
	"slices"
	"strconv"
	"testing"

	"loa/app/database"
)

func TestConvertAll(t *testing.T) {
	tests := []struct {
		name string
		in   []int
		want []string
	}{
		{"nil stays nil", nil, nil},
		{"empty stays empty", []int{}, []string{}},
		{"each element", []int{1, 22}, []string{"1", "22"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := database.ConvertAll(tt.in, strconv.Itoa)
			if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("ConvertAll(%#v) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}
