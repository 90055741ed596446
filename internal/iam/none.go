package iam

import (
	"context"

	"github.com/latchkey/latchkey/internal/op"
)

// Latchkey has no MFA devices, SSH
// public keys, service-specific credentials or signing certificates yet.
// Tools that manage users ask about them anyway (Terraform's aws_iam_user
// reads and force-destroys them), so these actions answer what AWS
// answers for an existing user that has none: an empty list. An unknown
// user is NoSuchEntity, as in AWS.

type listMFADevicesResult struct {
	MFADevices  Members[struct{}] `xml:"MFADevices"`
	IsTruncated bool              `xml:"IsTruncated"`
}

type listSSHPublicKeysResult struct {
	SSHPublicKeys Members[struct{}] `xml:"SSHPublicKeys"`
	IsTruncated   bool              `xml:"IsTruncated"`
}

type listServiceSpecificCredentialsResult struct {
	ServiceSpecificCredentials Members[struct{}] `xml:"ServiceSpecificCredentials"`
	IsTruncated                bool              `xml:"IsTruncated"`
}

type listVirtualMFADevicesResult struct {
	VirtualMFADevices Members[struct{}] `xml:"VirtualMFADevices"`
	IsTruncated       bool              `xml:"IsTruncated"`
}

type listSigningCertificatesResult struct {
	Certificates Members[struct{}] `xml:"Certificates"`
	IsTruncated  bool              `xml:"IsTruncated"`
}

// noneOperations are the table rows for the features above.
func (s *Service) noneOperations() []op.Operation {
	user := s.userTarget
	list := func(action string, result any) op.Operation {
		return op.Operation{Service: "iam", Action: action, Permission: "iam:" + action, Resource: user,
			Handler: func(ctx context.Context, r *op.Request) (any, error) {
				owner, err := ownerName(r)
				if err != nil {
					return nil, err
				}
				if owner == "" { // the root's own: it has none
					return result, nil
				}
				if _, err := s.Store.GetUser(ctx, r.Caller.AccountID, owner); err != nil {
					return nil, storeErr(err)
				}
				return result, nil
			}}
	}
	return []op.Operation{
		list("ListMFADevices", listMFADevicesResult{}),
		list("ListSSHPublicKeys", listSSHPublicKeysResult{}),
		list("ListServiceSpecificCredentials", listServiceSpecificCredentialsResult{}),
		list("ListSigningCertificates", listSigningCertificatesResult{}),
		{
			// Account-wide: no UserName; AWS's resource is "*".
			Service: "iam", Action: "ListVirtualMFADevices", Permission: "iam:ListVirtualMFADevices",
			Resource: anyTarget,
			Handler:  func(context.Context, *op.Request) (any, error) { return listVirtualMFADevicesResult{}, nil },
		},
	}
}
