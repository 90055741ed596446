package iam

import (
	"encoding/xml"
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/awsmodel"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/query"
)

// FuzzSimulateCustomPolicy feeds arbitrary simulation inputs (policy
// documents, actions, resources, context entries, paging) through the
// service model's validation and the handler, as the server does. Every
// input must give a result that renders, or an AWS-shaped client error:
// never a panic or a server fault.
func FuzzSimulateCustomPolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`,
		"dynamodb:CreateBackup", "", "aws:CurrentTime", "2019-01-01T00:00:00Z", "date", "", "")
	f.Add(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":"iam:Get*","NotResource":"arn:aws:iam::*:user/${aws:username}"}]}`,
		"iam:CreateUser", "arn:aws:iam::123456789012:user/bob", "aws:username", "bob", "string", "", "1")
	f.Add(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`,
		"s3:GetObject", "*", "aws:SourceIp", "10.1.2.3", "ip", "bad-marker", "0")
	f.Fuzz(func(t *testing.T, doc, action, resource, key, value, keyType, marker, maxItems string) {
		in := query.Values{"Action": "SimulateCustomPolicy", "Version": "2010-05-08", "PolicyInputList.member.1": doc, "ActionNames.member.1": action}
		set := func(k, v string) {
			if v != "" {
				in[k] = v
			}
		}
		set("ResourceArns.member.1", resource)
		set("ContextEntries.member.1.ContextKeyName", key)
		set("ContextEntries.member.1.ContextKeyValues.member.1", value)
		set("ContextEntries.member.1.ContextKeyType", keyType)
		set("Marker", marker)
		set("MaxItems", maxItems)
		m, ok := awsmodel.Operation("iam", "SimulateCustomPolicy")
		if !ok {
			t.Fatal("no model for SimulateCustomPolicy")
		}
		if err := m.Validate(in); err != nil {
			return
		}
		s := &Service{}
		r := &op.Request{Caller: &principal.Principal{Kind: principal.Root, AccountID: "123456789012", ID: "123456789012"}, Input: in}
		res, err := s.simulateCustomPolicy(t.Context(), r)
		if err != nil {
			var ae *awserr.Error
			if !errors.As(err, &ae) || ae.Status >= 500 {
				t.Fatalf("server fault for valid input: %v", err)
			}
			return
		}
		if _, err := xml.Marshal(res); err != nil {
			t.Fatalf("result does not render: %v", err)
		}
	})
}
