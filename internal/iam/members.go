package iam

import "encoding/xml"

// Members renders a list as the Query protocol does: the element always
// present (empty when the list is), one <member> per item. Plain
// `xml:"X>member"` fields drop the element of an empty list, which clients
// parse as a missing member rather than an empty one.
type Members[T any] []T

// MarshalXML implements xml.Marshaler.
func (m Members[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	member := xml.StartElement{Name: xml.Name{Local: "member"}}
	for _, item := range m {
		if err := e.EncodeElement(item, member); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}
