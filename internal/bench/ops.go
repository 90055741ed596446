package bench

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// OpOptions shape what the operations set up.
type OpOptions struct {
	// Prefix starts the names of everything the bench creates
	// (default "latchkey-bench"), so a run against a live endpoint can be
	// told apart and cleaned up.
	Prefix string
	// Users is how many users list-users pages through (default 1000).
	Users int
	// PageSize is list-users' MaxItems (default 100).
	PageSize int
}

func (o *OpOptions) defaults() {
	if o.Prefix == "" {
		o.Prefix = "latchkey-bench"
	}
	if o.Users <= 0 {
		o.Users = 1000
	}
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
}

// Op is one operation the load generator knows.
type Op struct {
	Name    string
	Summary string
	// prepare creates what the operation needs on the target through the
	// API, as root, and returns the operation for that many workers.
	prepare func(ctx context.Context, c *Client, root Creds, o OpOptions, workers int) (opFunc, error)
}

// Ops are the operations, by name.
var Ops = []Op{
	{Name: "caller", Summary: "STS GetCallerIdentity as root", prepare: prepareCaller},
	{Name: "create-delete-key", Summary: "CreateAccessKey then DeleteAccessKey, each worker on its own user (a user holds at most 2 keys)", prepare: prepareCreateDeleteKey},
	{Name: "list-keys", Summary: "ListAccessKeys of a user with 2 keys", prepare: prepareListKeys},
	{Name: "get-user", Summary: "GetUser of one user", prepare: prepareGetUser},
	{Name: "list-users", Summary: "ListUsers, every page (MaxItems --page-size) over --users users under one path", prepare: prepareListUsers},
	{Name: "assume-role", Summary: "STS AssumeRole by a user, with its own key, of a role whose trust policy names that user", prepare: prepareAssumeRole},
	{Name: "verify", Summary: "POST /latchkey/v1/verify of a client's signed S3 GET with one question, by a relying service (Latchkey only)", prepare: prepareVerify},
}

// LookupOp finds an operation by name.
func LookupOp(name string) (Op, error) {
	for _, o := range Ops {
		if o.Name == name {
			return o, nil
		}
	}
	names := make([]string, len(Ops))
	for i, o := range Ops {
		names[i] = o.Name
	}
	return Op{}, fmt.Errorf("unknown operation %q; one of %v", name, names)
}

// Target is a server to load: its endpoint and root credentials.
type Target struct {
	Name     string // "latchkey", "moto", "ceiling"; for reports
	Endpoint string
	Root     Creds
	// Process, when the bench started the server, is measured too (CPU).
	Process *Process
}

// Run sets up op on the target through the API, then loads it.
func Run(ctx context.Context, t Target, op Op, oo OpOptions, lo LoadOptions) (Result, error) {
	if lo.Concurrency <= 0 {
		lo.Concurrency = 1
	}
	oo.defaults()
	c := NewClient(t.Endpoint, lo.Concurrency)
	defer c.Close()
	fn, err := op.prepare(ctx, c, t.Root, oo, lo.Concurrency)
	if err != nil {
		return Result{}, fmt.Errorf("set up %s on %s: %w", op.Name, t.Endpoint, err)
	}
	res, err := run(ctx, op.Name, lo, fn, t.Process)
	res.Target = t.Name
	if res.Target == "" {
		res.Target = t.Endpoint
	}
	return res, err
}

// call makes one request and records it.
func call(ctx context.Context, c *Client, rec *recorder, creds Creds, service, action string, params url.Values) (Response, bool) {
	start := time.Now()
	resp, err := c.Call(ctx, creds, service, action, params)
	return resp, rec.observe(start, resp, err)
}

func prepareCaller(_ context.Context, c *Client, root Creds, _ OpOptions, _ int) (opFunc, error) {
	return func(ctx context.Context, _ int, rec *recorder) bool {
		_, ok := call(ctx, c, rec, root, "sts", "GetCallerIdentity", nil)
		return ok
	}, nil
}

func prepareGetUser(ctx context.Context, c *Client, root Creds, o OpOptions, _ int) (opFunc, error) {
	name := o.Prefix + "-get"
	if err := ensureUser(ctx, c, root, name, ""); err != nil {
		return nil, err
	}
	params := url.Values{"UserName": {name}}
	return func(ctx context.Context, _ int, rec *recorder) bool {
		_, ok := call(ctx, c, rec, root, "iam", "GetUser", params)
		return ok
	}, nil
}

func prepareListKeys(ctx context.Context, c *Client, root Creds, o OpOptions, _ int) (opFunc, error) {
	name := o.Prefix + "-keys"
	if err := ensureUser(ctx, c, root, name, ""); err != nil {
		return nil, err
	}
	keys, err := listKeys(ctx, c, root, name)
	if err != nil {
		return nil, err
	}
	for range 2 - len(keys) {
		if _, err := c.MustOK(ctx, root, "iam", "CreateAccessKey", url.Values{"UserName": {name}}); err != nil {
			return nil, err
		}
	}
	params := url.Values{"UserName": {name}}
	return func(ctx context.Context, _ int, rec *recorder) bool {
		resp, ok := call(ctx, c, rec, root, "iam", "ListAccessKeys", params)
		if ok && len(xmlTexts(resp.Body, "AccessKeyId")) != 2 {
			rec.fail("wrong-answer", "ListAccessKeys did not return 2 keys")
			return false
		}
		return ok
	}, nil
}

func prepareCreateDeleteKey(ctx context.Context, c *Client, root Creds, o OpOptions, workers int) (opFunc, error) {
	names := make([]string, workers)
	for w := range workers {
		names[w] = o.Prefix + "-cdk-" + strconv.Itoa(w)
	}
	err := parallel(ctx, workers, 8, func(ctx context.Context, w int) error {
		if err := ensureUser(ctx, c, root, names[w], ""); err != nil {
			return err
		}
		// Keys left by an interrupted run would hit the limit of 2.
		keys, err := listKeys(ctx, c, root, names[w])
		for _, k := range keys {
			if err == nil {
				_, err = c.MustOK(ctx, root, "iam", "DeleteAccessKey", url.Values{"UserName": {names[w]}, "AccessKeyId": {k}})
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, w int, rec *recorder) bool {
		resp, ok := call(ctx, c, rec, root, "iam", "CreateAccessKey", url.Values{"UserName": {names[w]}})
		if !ok {
			return false
		}
		id := xmlText(resp.Body, "AccessKeyId")
		if id == "" || xmlText(resp.Body, "SecretAccessKey") == "" {
			rec.fail("wrong-answer", "CreateAccessKey answered without a key id or secret")
			return false
		}
		_, ok = call(ctx, c, rec, root, "iam", "DeleteAccessKey", url.Values{"UserName": {names[w]}, "AccessKeyId": {id}})
		return ok
	}, nil
}

func prepareListUsers(ctx context.Context, c *Client, root Creds, o OpOptions, _ int) (opFunc, error) {
	path := "/" + o.Prefix + "/list/"
	err := parallel(ctx, o.Users, 8, func(ctx context.Context, i int) error {
		return ensureUser(ctx, c, root, fmt.Sprintf("%s-list-%07d", o.Prefix, i), path)
	})
	if err != nil {
		return nil, err
	}
	pageSize := strconv.Itoa(o.PageSize)
	return func(ctx context.Context, _ int, rec *recorder) bool {
		n, marker := 0, ""
		for {
			params := url.Values{"PathPrefix": {path}, "MaxItems": {pageSize}}
			if marker != "" {
				params.Set("Marker", marker)
			}
			resp, ok := call(ctx, c, rec, root, "iam", "ListUsers", params)
			if !ok {
				return false
			}
			n += len(xmlTexts(resp.Body, "UserName"))
			if xmlText(resp.Body, "IsTruncated") != "true" {
				break
			}
			if marker = xmlText(resp.Body, "Marker"); marker == "" {
				rec.fail("wrong-answer", "ListUsers truncated without a Marker")
				return false
			}
		}
		if n != o.Users {
			rec.fail("wrong-answer", fmt.Sprintf("ListUsers pages held %d users, want %d", n, o.Users))
			return false
		}
		return true
	}, nil
}

// prepareAssumeRole sets up what a user needs to assume a role, as in AWS:
// a role whose trust policy allows the user by ARN, a user policy allowing
// sts:AssumeRole on that role, and a fresh access key of the user, which
// signs every AssumeRole (the root may not assume roles). Each worker
// names its own session. moto checks neither policy nor even that the role
// exists, so it gets the same set-up and does less work per call.
func prepareAssumeRole(ctx context.Context, c *Client, root Creds, o OpOptions, workers int) (opFunc, error) {
	user, role := o.Prefix+"-assumer", o.Prefix+"-assumed"
	if err := ensureUser(ctx, c, root, user, ""); err != nil {
		return nil, err
	}
	body, err := c.MustOK(ctx, root, "iam", "GetUser", url.Values{"UserName": {user}})
	if err != nil {
		return nil, err
	}
	userARN := xmlText(body, "Arn")
	if userARN == "" {
		return nil, errors.New("GetUser answered without an Arn")
	}
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}]}`, userARN)
	roleARN, err := ensureRole(ctx, c, root, role, trust)
	if err != nil {
		return nil, err
	}
	allow := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":%q}]}`, roleARN)
	if _, err := c.MustOK(ctx, root, "iam", "PutUserPolicy", url.Values{"UserName": {user}, "PolicyName": {"assume"}, "PolicyDocument": {allow}}); err != nil {
		return nil, err
	}
	creds, err := freshKey(ctx, c, root, user)
	if err != nil {
		return nil, err
	}
	params := make([]url.Values, workers)
	for w := range workers {
		params[w] = url.Values{"RoleArn": {roleARN}, "RoleSessionName": {o.Prefix + "-" + strconv.Itoa(w)}}
	}
	return func(ctx context.Context, w int, rec *recorder) bool {
		resp, ok := call(ctx, c, rec, creds, "sts", "AssumeRole", params[w])
		if ok && (xmlText(resp.Body, "AccessKeyId") == "" || xmlText(resp.Body, "SecretAccessKey") == "" || xmlText(resp.Body, "SessionToken") == "") {
			rec.fail("wrong-answer", "AssumeRole answered without a key id, secret or session token")
			return false
		}
		return ok
	}, nil
}

// ensureRole creates a role with the trust policy, or gives an existing
// one that trust policy, and returns its ARN.
func ensureRole(ctx context.Context, c *Client, root Creds, name, trust string) (string, error) {
	_, err := c.MustOK(ctx, root, "iam", "CreateRole", url.Values{"RoleName": {name}, "AssumeRolePolicyDocument": {trust}})
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == "EntityAlreadyExists" {
		_, err = c.MustOK(ctx, root, "iam", "UpdateAssumeRolePolicy", url.Values{"RoleName": {name}, "PolicyDocument": {trust}})
	}
	if err != nil {
		return "", err
	}
	body, err := c.MustOK(ctx, root, "iam", "GetRole", url.Values{"RoleName": {name}})
	if err != nil {
		return "", err
	}
	arn := xmlText(body, "Arn")
	if arn == "" {
		return "", errors.New("GetRole answered without an Arn")
	}
	return arn, nil
}

// freshKey deletes the user's keys (an earlier run's, which would hit the
// limit of 2) and creates one.
func freshKey(ctx context.Context, c *Client, root Creds, user string) (Creds, error) {
	keys, err := listKeys(ctx, c, root, user)
	for _, k := range keys {
		if err == nil {
			_, err = c.MustOK(ctx, root, "iam", "DeleteAccessKey", url.Values{"UserName": {user}, "AccessKeyId": {k}})
		}
	}
	if err != nil {
		return Creds{}, err
	}
	body, err := c.MustOK(ctx, root, "iam", "CreateAccessKey", url.Values{"UserName": {user}})
	if err != nil {
		return Creds{}, err
	}
	k := Creds{AccessKeyID: xmlText(body, "AccessKeyId"), SecretAccessKey: xmlText(body, "SecretAccessKey")}
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return Creds{}, errors.New("CreateAccessKey answered without a key id or secret")
	}
	return k, nil
}

// ensureUser creates a user unless it exists.
func ensureUser(ctx context.Context, c *Client, root Creds, name, path string) error {
	p := url.Values{"UserName": {name}}
	if path != "" {
		p.Set("Path", path)
	}
	_, err := c.MustOK(ctx, root, "iam", "CreateUser", p)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == "EntityAlreadyExists" {
		return nil
	}
	return err
}

func listKeys(ctx context.Context, c *Client, root Creds, user string) ([]string, error) {
	body, err := c.MustOK(ctx, root, "iam", "ListAccessKeys", url.Values{"UserName": {user}})
	if err != nil {
		return nil, err
	}
	return xmlTexts(body, "AccessKeyId"), nil
}

// parallel runs fn(0..n-1) on up to width goroutines, stopping at the
// first error.
func parallel(ctx context.Context, n, width int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(width, n) {
		wg.Go(func() {
			for i := range next {
				if err := fn(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}
