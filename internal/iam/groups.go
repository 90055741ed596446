package iam

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

func xmlGroup(g store.Group) XMLGroup {
	return XMLGroup{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: arn.Group(g.AccountID, g.Path, g.Name), CreateDate: TimestampPtr(g.CreatedAt)}
}

func (s *Service) createGroup(ctx context.Context, r *op.Request) (any, error) {
	g := store.Group{
		AccountID: r.Caller.AccountID,
		ID:        secret.NewGroupID(),
		Name:      r.Input.String("GroupName"),
		Path:      pathOr(r.Input.String("Path")),
		CreatedAt: s.now(),
	}
	if err := s.Store.CreateGroup(ctx, g); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, awserr.EntityAlreadyExists("Group with name %s already exists.", g.Name)
		}
		return nil, storeErr(err)
	}
	return createGroupResult{Group: xmlGroup(g)}, nil
}

// getGroup returns the group and a page of its users.
func (s *Service) getGroup(ctx context.Context, r *op.Request) (any, error) {
	after, err := decodeMarker("members", r.Input.String("Marker"))
	if err != nil {
		return nil, err
	}
	g, users, last, more, err := s.Store.ListGroupMembers(ctx, r.Caller.AccountID, r.Input.String("GroupName"), store.Page{After: after, Limit: maxItems(r)})
	if err != nil {
		return nil, storeErr(err)
	}
	res := getGroupResult{Group: xmlGroup(g), Users: make(Members[XMLUser], 0, len(users)), IsTruncated: more}
	for _, u := range users {
		res.Users = append(res.Users, xmlUser(u, false))
	}
	if more {
		res.Marker = encodeMarker("members", last)
	}
	return res, nil
}

func (s *Service) listGroups(ctx context.Context, r *op.Request) (any, error) {
	after, err := decodeMarker("groups", r.Input.String("Marker"))
	if err != nil {
		return nil, err
	}
	groups, last, more, err := s.Store.ListGroups(ctx, r.Caller.AccountID, r.Input.String("PathPrefix"), store.Page{After: after, Limit: maxItems(r)})
	if err != nil {
		return nil, storeErr(err)
	}
	res := listGroupsResult{Groups: make(Members[XMLGroup], 0, len(groups)), IsTruncated: more}
	for _, g := range groups {
		res.Groups = append(res.Groups, xmlGroup(g))
	}
	if more {
		res.Marker = encodeMarker("groups", last)
	}
	return res, nil
}

func (s *Service) updateGroup(ctx context.Context, r *op.Request) (any, error) {
	newName, newPath := r.Input.String("NewGroupName"), r.Input.String("NewPath")
	_, err := s.Store.UpdateGroup(ctx, r.Caller.AccountID, r.Input.String("GroupName"), func(g store.Group) (store.Group, error) {
		if newName != "" {
			g.Name = newName
		}
		if newPath != "" {
			g.Path = newPath
		}
		return g, nil
	})
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, awserr.EntityAlreadyExists("Group with name %s already exists.", newName)
	}
	return nil, storeErr(err)
}

func (s *Service) deleteGroup(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.DeleteGroup(ctx, r.Caller.AccountID, r.Input.String("GroupName")))
}

func (s *Service) addUserToGroup(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.AddUserToGroup(ctx, r.Caller.AccountID, r.Input.String("GroupName"), r.Input.String("UserName")))
}

func (s *Service) removeUserFromGroup(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.RemoveUserFromGroup(ctx, r.Caller.AccountID, r.Input.String("GroupName"), r.Input.String("UserName")))
}

func (s *Service) listGroupsForUser(ctx context.Context, r *op.Request) (any, error) {
	owner, err := ownerName(r)
	if err != nil {
		return nil, err
	}
	groups, err := s.Store.ListGroupsForUser(ctx, r.Caller.AccountID, owner)
	if err != nil {
		return nil, storeErr(err)
	}
	xml := make([]XMLGroup, len(groups))
	for i, g := range groups {
		xml[i] = xmlGroup(g)
	}
	page, truncated, marker, err := pageSlice(r, "usergroups", xml)
	if err != nil {
		return nil, err
	}
	return listGroupsResult{Groups: page, IsTruncated: truncated, Marker: marker}, nil
}
