package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestAccountAuthorizationDetailsPagesByKey: pages of
// GetAccountAuthorizationDetails continue after the last entry returned,
// across its sections, so entries created between pages neither repeat
// nor hide the ones that were already there.
func TestAccountAuthorizationDetailsPagesByKey(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	for i := 0; i < 5; i++ {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d", i*2))}))
	}
	for i := 0; i < 3; i++ {
		must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%d", i))}))
	}
	seen := map[string]int{}
	var marker *string
	for page := 0; ; page++ {
		out := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{
			Filter: []types.EntityType{types.EntityTypeUser, types.EntityTypeGroup}, MaxItems: aws.Int32(3), Marker: marker}))
		if n := len(out.UserDetailList) + len(out.GroupDetailList); n > 3 || out.IsTruncated && n != 3 {
			t.Fatalf("page %d holds %d entries", page, n)
		}
		for _, u := range out.UserDetailList {
			seen["user/"+aws.ToString(u.UserName)]++
		}
		for _, g := range out.GroupDetailList {
			seen["group/"+aws.ToString(g.GroupName)]++
		}
		if page == 0 {
			// Sorts before every user already returned: not on a later page.
			must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("a-early")}))
		}
		if !out.IsTruncated {
			break
		}
		if page > 5 {
			t.Fatal("pages do not end")
		}
		marker = out.Marker
	}
	for _, name := range []string{"user/u0", "user/u2", "user/u4", "user/u6", "user/u8", "group/g0", "group/g1", "group/g2"} {
		if seen[name] != 1 {
			t.Errorf("%s listed %d times", name, seen[name])
		}
	}
	if len(seen) != 8 {
		t.Errorf("listed %v", seen)
	}
}
