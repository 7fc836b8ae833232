package tmpl

import "reflect"

// weigh is what a pass over everything inside v costs: size summed over v and all it holds.
// A list can hold one large value many times over (`map(1..1000, data)`), and then it weighs
// what writing it out would cost, not what it takes in memory. Weighing stops soon after the
// total passes limit, so it costs at most about what it allows.
func weigh(v any, limit int64) int64 {
	w := weigher{limit: limit}
	w.add(v)
	return w.total
}

type weigher struct {
	total, limit int64
}

// add adds the weight of v; it reports false once the total is past the limit.
func (w *weigher) add(v any) bool {
	w.total += size(v)
	if w.total > w.limit {
		return false
	}
	switch v := v.(type) {
	case nil, bool, int, int64, float64, string, []byte:
	case []any:
		for _, x := range v {
			if !w.add(x) {
				return false
			}
		}
	case map[string]any:
		for k, x := range v {
			w.total += int64(len(k)) / bytesPerStep
			if !w.add(x) {
				return false
			}
		}
	case []string:
		for _, s := range v {
			w.total += int64(len(s)) / bytesPerStep
		}
	case map[string]string:
		for k, s := range v {
			w.total += int64(len(k)+len(s)) / bytesPerStep
		}
	case Socket:
		return w.add(v.Rooms) && w.add(v.Handshake) && w.add(v.Data)
	case Handshake:
		return w.add(v.Headers) && w.add(v.Query) && w.add(v.Auth)
	case *Env:
		return v == nil || w.add(v.Data) && w.add(v.Args) && w.add(v.Socket) && w.add(v.Auth) &&
			w.add(v.Env) && w.add(v.Reply) && w.add(v.Replies) && w.add(v.Item)
	default:
		return w.addReflect(reflect.ValueOf(v))
	}
	return w.total <= w.limit
}

// addReflect weighs what the cases of add do not name, such as a list of numbers that a range
// made or the groups of groupBy.
func (w *weigher) addReflect(rv reflect.Value) bool {
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if scalar(rv.Type().Elem().Kind()) {
			return true
		}
		for i := range rv.Len() {
			if !w.add(rv.Index(i).Interface()) {
				return false
			}
		}
	case reflect.Map:
		for it := rv.MapRange(); it.Next(); {
			if !w.add(it.Key().Interface()) || !w.add(it.Value().Interface()) {
				return false
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !rv.IsNil() && rv.Elem().CanInterface() {
			return w.add(rv.Elem().Interface())
		}
	}
	return w.total <= w.limit
}

// scalar tells whether values of kind k hold nothing inside them.
func scalar(k reflect.Kind) bool {
	return k >= reflect.Bool && k <= reflect.Complex128 || k == reflect.String
}
