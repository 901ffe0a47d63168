package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// maxJSONDepth bounds how deeply a request body may nest objects and
// arrays; no body of the API needs a tenth of it.
const maxJSONDepth = 64

// jsonFormats are the request and response formats of every operation:
// responses as huma writes them, request bodies through decodeJSON.
var jsonFormats = map[string]huma.Format{
	"application/json": {Marshal: huma.DefaultJSONFormat.Marshal, Unmarshal: decodeJSON},
	"json":             {Marshal: huma.DefaultJSONFormat.Marshal, Unmarshal: decodeJSON},
}

// decodeJSON is the one decoder of JSON sent by clients. It decodes data
// into v strictly: it fails on bytes that are not UTF-8 (or escapes of
// lone UTF-16 surrogates, which would be stored as U+FFFD), on an object
// naming a field twice, on nesting deeper than maxJSONDepth and, where v
// holds a struct, on a field name that is not exactly one of the struct's
// (encoding/json alone would bind "NAME" to "name"). Unknown fields of a
// struct fail too.
func decodeJSON(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errors.New("the JSON is not valid UTF-8")
	}
	if err := checkSurrogates(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := checkValue(dec, reflect.TypeOf(v), "", 0); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("the JSON has data after its end")
	}
	return json.Unmarshal(data, v)
}

// checkValue reads one value from dec, checking object keys against t
// (nil or an interface: any key; a struct: exactly its JSON field names;
// a map: any key, values against its element type). path names the value
// in error messages.
func checkValue(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("the JSON nests more than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)) {
		t = nil // decodes itself: only keys and nesting are checked
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		var elem reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			fields = jsonFields(t)
		case t != nil && t.Kind() == reflect.Map:
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return fmt.Errorf("malformed JSON: %w", err)
			}
			key, _ := kt.(string)
			at := joinPath(path, key)
			if seen[key] {
				return fmt.Errorf("the field %q appears twice", at)
			}
			seen[key] = true
			vt := elem
			if fields != nil {
				ft, ok := fields[key]
				if !ok {
					return unknownField(at, key, fields)
				}
				vt = ft
			}
			if err := checkValue(dec, vt, at, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := checkValue(dec, elem, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// unknownField says which field was not known, and the one meant when only
// the case differs.
func unknownField(at, key string, fields map[string]reflect.Type) error {
	return fmt.Errorf("unknown field %q: %s", at, fieldHint(key, maps.Keys(fields)))
}

// fieldHint explains why key is not one of names: extra fields are not
// permitted, or names are case-sensitive and another was meant.
func fieldHint(key string, names iter.Seq[string]) string {
	for name := range names {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf("field names are case-sensitive, did you mean %q?", name)
		}
	}
	return "extra fields not permitted"
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// jsonFields maps the JSON names of a struct's fields (as encoding/json
// names them, embedded structs promoted) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := m[k]; !ok {
						m[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}

// checkSurrogates refuses \u escapes of UTF-16 surrogates that do not
// form a pair: encoding/json would decode them as U+FFFD.
func checkSurrogates(data []byte) error {
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 >= len(data) {
				return nil // malformed; the decoder says so
			}
			if data[i+1] != 'u' {
				i++
				continue
			}
			r, ok := hex4(data, i+2)
			if !ok {
				return nil
			}
			i += 5
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return errors.New("the JSON holds an unpaired UTF-16 surrogate escape; send valid Unicode")
			case r >= 0xD800 && r <= 0xDBFF:
				lo, ok := rune(0), i+6 < len(data) && data[i+1] == '\\' && data[i+2] == 'u'
				if ok {
					lo, ok = hex4(data, i+3)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return errors.New("the JSON holds an unpaired UTF-16 surrogate escape; send valid Unicode")
				}
				i += 6
			}
		}
	}
	return nil
}

// hex4 reads four hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(n), err == nil
}
