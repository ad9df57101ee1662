package experiments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Record is what one unit measured: Result, the unit's result struct of
// its experiment's own type (newRecord writes it, decodeResult reads it
// back). The runner fills Experiment, Unit and Seconds.
type Record struct {
	Experiment string          `json:"experiment"`
	Unit       string          `json:"unit"`
	Seconds    float64         `json:"seconds"`
	Result     json.RawMessage `json:"result"`
}

// maxRecordBytes bounds a unit record file. Records hold a few KB (the
// largest, at the full scale, tens of KB); a longer file is treated as
// corrupt instead of being decoded, which bounds the memory decodeRecord
// allocates (recordAllocBound).
const maxRecordBytes = 4 << 20

// decodeRecord parses a unit record file's bytes. Truncated, trailing or
// malformed input, a record without its experiment and unit names or its
// result, and a negative time give an error. The result is kept as JSON
// for decodeResult. It allocates at most recordAllocBound(len(b)) bytes
// (FuzzDecodeRecord checks this).
func decodeRecord(b []byte) (Record, error) {
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return Record{}, err
	}
	switch {
	case rec.Experiment == "" || rec.Unit == "":
		return Record{}, errors.New("no experiment or unit name")
	case rec.Seconds < 0:
		return Record{}, fmt.Errorf("seconds %g is negative", rec.Seconds)
	case len(rec.Result) == 0 || bytes.Equal(rec.Result, []byte("null")):
		return Record{}, errors.New("no result")
	}
	return rec, nil
}

// recordAllocBound is the most decodeRecord allocates for an input of n
// bytes: the record's strings and a copy of its result.
func recordAllocBound(n int) uint64 { return 128*uint64(n) + 64<<10 }
