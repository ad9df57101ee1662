package experiments

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard selects a deterministic part of a run: of all units of the selected
// experiments, listed in report order and plan order, the k-th (counting
// from 0) belongs to shard k mod Count. Count 0 or 1 means the whole run.
type Shard struct {
	Index, Count int
}

// ParseShard parses "i/N" with 0 ≤ i < N (zero-based, like Kubernetes'
// JOB_COMPLETION_INDEX and a Slurm array declared --array=0-(N-1)).
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want i/N, e.g. 0/4", s)
	}
	idx, err1 := strconv.Atoi(i)
	cnt, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: i and N must be integers", s)
	}
	if cnt < 1 {
		return Shard{}, fmt.Errorf("shard %q: N must be at least 1", s)
	}
	if idx < 0 || idx >= cnt {
		return Shard{}, fmt.Errorf("shard %q: i must be in [0, %d) (shards count from 0)", s, cnt)
	}
	return Shard{Index: idx, Count: cnt}, nil
}

// Whole reports whether the shard is the whole run.
func (s Shard) Whole() bool { return s.Count <= 1 }

// String returns "i/N", or "" for the whole run.
func (s Shard) String() string {
	if s.Whole() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// owns reports whether the k-th unit of the run belongs to the shard.
func (s Shard) owns(k int) bool { return s.Whole() || k%s.Count == s.Index }
