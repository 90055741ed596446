package policy

import "unicode/utf8"

// Position is a place in a policy document's text, as AWS's
// SimulatePrincipalPolicy and SimulateCustomPolicy report the statements
// they matched (MatchedStatements: StartPosition, EndPosition).
//
// AWS's convention, as its own example shows (the AWS CLI reference for
// simulate-custom-policy, Example 1): for the one-line document
//
//	{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}
//
// whose statement's '{' is the 37th character and its '}' the 166th, AWS
// reports StartPosition {Line 1, Column 38} and EndPosition {Line 1,
// Column 167}. So lines and columns both count from 1, and both positions
// are those just past the brace: the opening brace's as well as the
// closing one's (what a streaming JSON parser reports as its location
// after reading each brace token; the opening brace itself would be
// Column 37, which AWS does not report).
// TestPositionAWSExample pins that example.
//
// What the example cannot show, and is inferred: columns count characters,
// not bytes (a character outside the Basic Multilingual Plane counts as
// two, as UTF-16 counts it; IAM's simulation APIs only take tab, line feed,
// carriage return and characters U+0020 to U+00FF anyway, per their
// PolicyInputList constraint), and a line ends at "\n", "\r" or "\r\n"
// (one line break, not two). The second AWS CLI example (simulate-principal-policy,
// Line 3 Column 19 to Line 9 Column 10) is consistent with this, but its
// document is not shown.
type Position struct {
	Line, Column int
}

// positioner converts increasing byte offsets of one document into
// Positions, scanning the text once.
type positioner struct {
	doc    string
	off    int // the offset of pos
	pos    Position
	lastCR bool // the character before off is '\r'
}

func newPositioner(doc string) *positioner {
	return &positioner{doc: doc, pos: Position{Line: 1, Column: 1}}
}

// at returns the Position of byte offset off, which must not be below the
// offset of the previous call.
func (p *positioner) at(off int) Position {
	for p.off < off && p.off < len(p.doc) {
		r, n := utf8.DecodeRuneInString(p.doc[p.off:])
		switch {
		case r == '\n' && p.lastCR: // the second half of "\r\n"
		case r == '\n' || r == '\r':
			p.pos.Line++
			p.pos.Column = 1
		case r >= 0x10000:
			p.pos.Column += 2 // a UTF-16 surrogate pair
		default:
			p.pos.Column++ // an invalid byte counts as one character, U+FFFD
		}
		p.lastCR = r == '\r'
		p.off += n
	}
	return p.pos
}
