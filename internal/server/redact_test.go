package server

import "testing"

func TestRedactPasswords(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"passwords in the query",
			"GET\n/\nAction=ChangePassword&NewPassword=n%40w&OldPassword=old&Version=2010-05-08\nhost:x\n\nhost\nHASH",
			"GET\n/\nAction=ChangePassword&NewPassword=***&OldPassword=***&Version=2010-05-08\nhost:x\n\nhost\nHASH"},
		{"a password first",
			"GET\n/\nPassword=secret&UserName=bob\n\n\n\nHASH",
			"GET\n/\nPassword=***&UserName=bob\n\n\n\nHASH"},
		{"other names kept",
			"GET\n/\nAction=ListUsers&PasswordResetRequired=true&XPassword=kept\n\n\n\nHASH",
			"GET\n/\nAction=ListUsers&PasswordResetRequired=true&XPassword=kept\n\n\n\nHASH"},
		{"a body's requests have no query", "POST\n/\n\nhost:x\n\nhost\nHASH", "POST\n/\n\nhost:x\n\nhost\nHASH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := redactPasswords(tc.in); got != tc.want {
				t.Fatalf("redactPasswords =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
