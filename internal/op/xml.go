package op

// XMLAppender is implemented by results on the hottest paths, which render
// their members themselves instead of through encoding/xml's reflection.
// The output must equal what encoding/xml would write (golden files pin it).
type XMLAppender interface {
	AppendXML(b []byte) []byte
}

// AppendElement appends "    <name>escaped value</name>\n".
func AppendElement(b []byte, name, value string) []byte {
	b = append(b, "    <"...)
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscaped(b, value)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, ">\n"...)
}

// appendEscaped escapes as xml.EscapeText does.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '\'':
			b = append(b, "&#39;"...)
		case '"':
			b = append(b, "&#34;"...)
		case '\t':
			b = append(b, "&#x9;"...)
		case '\n':
			b = append(b, "&#xA;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}
