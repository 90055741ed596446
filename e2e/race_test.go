package e2e

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

func TestConcurrentCreateUserIgnoringCase(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	c := s.IAM(e2etest.Root)
	names := []string{"dave", "Dave", "DAVE", "dAVE", "daVe", "DaVe", "daVE", "DAve"}
	var ok, exists atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(names[i%len(names)])})
			if err == nil {
				ok.Add(1)
			} else if code, _ := apiCode(t, err); code == "EntityAlreadyExists" {
				exists.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || exists.Load() != 39 {
		t.Fatalf("%d created, %d EntityAlreadyExists", ok.Load(), exists.Load())
	}
}

// TestNoAuthenticationAfterRevocation hammers a key with authentications
// while it is deactivated (then deleted): no request sent after the
// revoking response arrived may authenticate.
func TestNoAuthenticationAfterRevocation(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	for _, revoke := range []string{"deactivate", "delete"} {
		t.Run(revoke, func(t *testing.T) {
			name := "victim-" + revoke
			k := newUserWithKey(t, s, name)
			c := s.IAM(e2etest.Root)
			var revokedAt atomic.Int64 // unix nanos when the revoking response arrived
			var late, before atomic.Int32
			var stop atomic.Bool
			var wg sync.WaitGroup
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					client := s.STS(k)
					for !stop.Load() {
						sent := time.Now().UnixNano()
						_, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
						if err != nil {
							continue
						}
						if r := revokedAt.Load(); r != 0 && sent > r {
							late.Add(1)
						} else {
							before.Add(1)
						}
					}
				}()
			}
			time.Sleep(150 * time.Millisecond)
			var err error
			if revoke == "deactivate" {
				_, err = c.UpdateAccessKey(context.Background(), &iam.UpdateAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(k.KeyID), Status: "Inactive"})
			} else {
				_, err = c.DeleteAccessKey(context.Background(), &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(k.KeyID)})
			}
			revokedAt.Store(time.Now().UnixNano())
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(150 * time.Millisecond)
			stop.Store(true)
			wg.Wait()
			if before.Load() == 0 {
				t.Fatal("no authentication succeeded before the revocation: the test proved nothing")
			}
			if late.Load() != 0 {
				t.Fatalf("%d requests sent after the %s response authenticated", late.Load(), revoke)
			}
		})
	}
}
