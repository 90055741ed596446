"""boto3 against latchkey, as seed 003 uses it: IAM.Client.create_access_key.

Run by e2e/boto3_test.go with LATCHKEY_ENDPOINT and the root key in
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Prints one JSON object for the Go
test to assert. The modeled exceptions are caught by their exact classes: any
other exception escapes, and the script fails with its traceback.
"""
import datetime
import json
import os

import boto3

ENDPOINT = os.environ["LATCHKEY_ENDPOINT"]


def plain(value):
    """JSON-able copy of a boto3 response, dates as ISO 8601."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def error(exc):
    return {
        "class": type(exc).__name__,
        "code": exc.response["Error"]["Code"],
        "message": exc.response["Error"]["Message"],
        "status": exc.response["ResponseMetadata"]["HTTPStatusCode"],
        "request_id": exc.response["ResponseMetadata"]["RequestId"],
    }


iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1")
out = {}

iam.create_user(UserName="Bob")
resp = iam.create_access_key(UserName="Bob")
key = resp["AccessKey"]
out["create_access_key"] = {
    "keys": sorted(key),
    "create_date_is_datetime": isinstance(key["CreateDate"], datetime.datetime),
    "create_date_is_aware": isinstance(key["CreateDate"], datetime.datetime) and key["CreateDate"].tzinfo is not None,
    "access_key": plain(key),
    "http_status": resp["ResponseMetadata"]["HTTPStatusCode"],
    "request_id": resp["ResponseMetadata"]["RequestId"],
}

try:
    iam.create_access_key(UserName="Nobody")
    out["no_such_entity"] = None
except iam.exceptions.NoSuchEntityException as exc:
    out["no_such_entity"] = error(exc)

iam.create_access_key(UserName="Bob")
try:
    iam.create_access_key(UserName="Bob")
    out["limit_exceeded"] = None
except iam.exceptions.LimitExceededException as exc:
    out["limit_exceeded"] = error(exc)

# The new key signs for Bob.
sts = boto3.client(
    "sts",
    endpoint_url=ENDPOINT,
    region_name="eu-west-1",
    aws_access_key_id=key["AccessKeyId"],
    aws_secret_access_key=key["SecretAccessKey"],
)
out["caller"] = plain(sts.get_caller_identity())

last = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
out["last_used"] = plain(last)
out["last_used_date_is_datetime"] = isinstance(last["AccessKeyLastUsed"].get("LastUsedDate"), datetime.datetime)

pages = iam.get_paginator("list_access_keys").paginate(UserName="Bob", PaginationConfig={"PageSize": 1})
out["listed"] = [m["AccessKeyId"] for page in pages for m in page["AccessKeyMetadata"]]

iam.update_access_key(UserName="Bob", AccessKeyId=key["AccessKeyId"], Status="Inactive")
try:
    sts.get_caller_identity()
    out["inactive"] = None
except sts.exceptions.ClientError as exc:
    out["inactive"] = error(exc)

print(json.dumps(out))
