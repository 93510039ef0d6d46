package provisioning_test

import (
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/offboard-go/offboard/provisioning"
)

// A server that ignores startRecord sends its first page again and again: the walk over
// every page stops after the second page with ErrProtocol, instead of looping for ever.
func TestPagingStopsWhenTheServerIgnoresStartRecord(t *testing.T) {
	cases := []struct {
		name string
		op   string
		file string
		walk func(c *provisioning.Client) iter.Seq2[any, error]
	}{
		{"AllTasks", "GetProvisioningTasks", "tasks-result.xml", func(c *provisioning.Client) iter.Seq2[any, error] {
			return anySeq(c.AllTasks(t.Context(), "Example Org"))
		}},
		{"AllTasksForUser", "GetProvisioningTasksForUser", "tasks-result.xml", func(c *provisioning.Client) iter.Seq2[any, error] {
			return anySeq(c.AllTasksForUser(t.Context(), "Example Org", "alice"))
		}},
		{"AllTokens", "GetTokens", "tokens-result.xml", func(c *provisioning.Client) iter.Seq2[any, error] {
			return anySeq(c.AllTokens(t.Context(), "Example Org", provisioning.TokenQuery{}))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, c, _ := newMock(t, provisioning.SOAP11)
			m.on(tc.op, result(tc.op, testdata(t, tc.file))) // the same page, whatever startRecord
			rows, pages := 0, 0
			var last error
			for _, err := range tc.walk(c) {
				if err != nil {
					last = err
					break
				}
				if rows++; rows > 1000 {
					break // without the guard the walk never ends
				}
			}
			for _, op := range m.ops() {
				if op == tc.op {
					pages++
				}
			}
			require.ErrorIs(t, last, provisioning.ErrProtocol)
			assert.Contains(t, last.Error(), "ignore startRecord")
			assert.Equal(t, 2, pages, "the second page gives it away")
			assert.Positive(t, rows, "the first page's rows were yielded")
		})
	}
}

func anySeq[T any](s iter.Seq2[T, error]) iter.Seq2[any, error] {
	return func(yield func(any, error) bool) {
		for v, err := range s {
			if !yield(v, err) {
				return
			}
		}
	}
}
