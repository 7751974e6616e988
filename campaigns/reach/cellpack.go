package reach

import (
	"encoding/binary"
	"errors"
)

// The rollup cells of one half-month are stored packed into one binary value: the
// embedded engine's cost is per stored value, and a year of a province as
// sub-documents (146,000 cells of up to 8 counters) took it some 10 s to read
// (BENCHMARKS.md §9.5). The layout is the codes the cells name (a count, then each
// as its length and bytes), then the cells (a count, then each as the indexes of
// its unit, group and activity among those codes and its 8 counters in Cell's
// order, as zig-zag varints). Cells that add up to nothing are left out.

// errPacked is the error of a value packCells did not write.
var errPacked = errors.New("packed rollup cells are damaged")

// packCells packs the cells of one half-month (their keys' Month and Part are not
// written: the document holding them says which).
func packCells(cells map[CellKey]Cell) []byte {
	index := map[string]uint64{}
	var codes []string
	code := func(s string) uint64 {
		i, ok := index[s]
		if !ok {
			i = uint64(len(codes))
			index[s] = i
			codes = append(codes, s)
		}
		return i
	}
	body := make([]byte, 0, 16*len(cells))
	n := 0
	for k, c := range cells {
		if c == (Cell{}) {
			continue
		}
		n++
		body = binary.AppendUvarint(body, code(k.OrgUnit))
		body = binary.AppendUvarint(body, code(k.Group))
		body = binary.AppendUvarint(body, code(k.Activity))
		for _, v := range c.counters() {
			body = binary.AppendVarint(body, v)
		}
	}
	out := binary.AppendUvarint(make([]byte, 0, len(body)+16*len(codes)), uint64(len(codes)))
	for _, s := range codes {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	out = binary.AppendUvarint(out, uint64(n))
	return append(out, body...)
}

// unpackCells adds the cells packCells wrote to into, under month and part; intern
// gives one copy of each code, so that the cells of every half-month share them.
func unpackCells(b []byte, month string, part int, intern func(string) string, into map[CellKey]Cell) error {
	if len(b) == 0 {
		return nil
	}
	r := packReader{b: b}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		return errPacked
	}
	codes := make([]string, n)
	for i := range codes {
		n := r.uvarint()
		if r.err != nil || n > uint64(len(r.b)) {
			return errPacked
		}
		codes[i] = intern(string(r.b[:n]))
		r.b = r.b[n:]
	}
	cells := r.uvarint()
	if cells > uint64(len(r.b)) {
		return errPacked
	}
	for range cells {
		u, g, a := r.code(codes), r.code(codes), r.code(codes)
		var v [cellCounters]int64
		for i := range v {
			v[i] = r.varint()
		}
		if r.err != nil {
			return r.err
		}
		k := CellKey{Month: month, Part: part, OrgUnit: u, Group: g, Activity: a}
		c := into[k]
		c.Add(cellOfCounters(v), 1)
		into[k] = c
	}
	if r.err != nil || len(r.b) != 0 {
		return errPacked
	}
	return nil
}

// cellCounters is how many counters a Cell has.
const cellCounters = 8

// counters are c's counters in the order packCells writes them.
func (c Cell) counters() [cellCounters]int64 {
	return [cellCounters]int64{c.Records, c.Activities, c.PersonTimes, c.UniquePersons, c.UniqueKnown, c.Estimated,
		c.Repeated, c.FirstTimeKnown}
}

func cellOfCounters(v [cellCounters]int64) Cell {
	return Cell{Records: v[0], Activities: v[1], PersonTimes: v[2], UniquePersons: v[3], UniqueKnown: v[4], Estimated: v[5],
		Repeated: v[6], FirstTimeKnown: v[7]}
}

// packReader reads varints and keeps the first error.
type packReader struct {
	b   []byte
	err error
}

func (r *packReader) uvarint() uint64 { return readNext(r, binary.Uvarint) }

func (r *packReader) varint() int64 { return readNext(r, binary.Varint) }

// readNext reads one value with read, which returns it and its length (≤ 0 when
// the bytes do not hold one).
func readNext[T any](r *packReader, read func([]byte) (T, int)) T {
	var v T
	if r.err != nil {
		return v
	}
	v, n := read(r.b)
	if n <= 0 {
		r.err = errPacked
		return v
	}
	r.b = r.b[n:]
	return v
}

func (r *packReader) code(codes []string) string {
	i := r.uvarint()
	if r.err == nil && i >= uint64(len(codes)) {
		r.err = errPacked
	}
	if r.err != nil {
		return ""
	}
	return codes[i]
}
