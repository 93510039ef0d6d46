package testtb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/offboard-go/offboard/internal/testtb"
)

func TestRecorder(t *testing.T) {
	r := testtb.New(t)
	var order []int
	r.Cleanup(func() { order = append(order, 1) })
	r.Cleanup(func() { order = append(order, 2); r.Errorf("at the end: %d", 2) })
	r.Errorf("now: %s", "x")
	assert.Equal(t, []string{"now: x"}, r.Errors(), "cleanups wait for End")
	r.End()
	assert.Equal(t, []int{2, 1}, order, "last in, first out")
	assert.Equal(t, []string{"now: x", "at the end: 2"}, r.Errors())
	r.End()
	assert.Equal(t, []int{2, 1}, order, "each cleanup runs once")
}
