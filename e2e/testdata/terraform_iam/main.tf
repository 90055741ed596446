# The configuration e2e/terraform_iam_test.go applies to latchkey: groups,
# their inline policy and members, customer managed policies (one written by
# the aws_iam_policy_document data source, with a path, a description and
# tags), every way hashicorp/aws attaches a managed policy (to a user, to a
# group, and the exclusive aws_iam_policy_attachment), an AWS managed policy,
# and a user with a permissions boundary.
#
# Two resources own membership and attachment exclusively, so each gets
# entities nothing else touches, or the provider would fight itself (against
# AWS too): aws_iam_group_membership owns every member of "devs";
# aws_iam_policy_attachment owns every attachment of "shared".
#
# The test copies this file into a temporary directory and drives the update
# through terraform.tfvars.json; nothing here names a real AWS endpoint.

terraform {
  required_version = ">= 1.11.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "access_key" {
  type = string
}

variable "secret_key" {
  type      = string
  sensitive = true
}

variable "read_actions" {
  type        = list(string)
  description = "The actions of the read policy; changing them makes a new policy version."
  default     = ["iam:GetUser", "iam:ListUsers"]
}

variable "read_tags" {
  type    = map(string)
  default = { team = "platform", owner = "alice" }
}

variable "devs_members" {
  type    = list(string)
  default = ["alice", "bob"]
}

variable "carol_groups" {
  type    = list(string)
  default = ["ops"]
}

variable "alice_boundary" {
  type        = string
  description = "Which boundary policy alice has: a or b."
  default     = "a"
}

provider "aws" {
  region     = "us-east-1"
  access_key = var.access_key
  secret_key = var.secret_key

  skip_metadata_api_check = true

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

resource "aws_iam_user" "alice" {
  name                 = "alice"
  path                 = "/engineering/"
  permissions_boundary = var.alice_boundary == "a" ? aws_iam_policy.boundary_a.arn : aws_iam_policy.boundary_b.arn
}

resource "aws_iam_user" "bob" {
  name = "bob"
}

resource "aws_iam_user" "carol" {
  name = "carol"
}

resource "aws_iam_group" "devs" {
  name = "devs"
  path = "/teams/"
}

resource "aws_iam_group" "ops" {
  name = "ops"
}

resource "aws_iam_group" "auditors" {
  name = "auditors"
}

resource "aws_iam_group_policy" "devs" {
  name  = "devs-inline"
  group = aws_iam_group.devs.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:ListGroups", "iam:GetGroup"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs-membership"
  group = aws_iam_group.devs.name
  users = [for u in var.devs_members : local.users[u]]
}

resource "aws_iam_user_group_membership" "carol" {
  user   = aws_iam_user.carol.name
  groups = [for g in var.carol_groups : local.groups[g]]
}

locals {
  # Names through the resources, so that Terraform orders creation and
  # destruction.
  users  = { alice = aws_iam_user.alice.name, bob = aws_iam_user.bob.name, carol = aws_iam_user.carol.name }
  groups = { devs = aws_iam_group.devs.name, ops = aws_iam_group.ops.name, auditors = aws_iam_group.auditors.name }
}

data "aws_iam_policy_document" "read" {
  statement {
    sid       = "Read"
    effect    = "Allow"
    actions   = var.read_actions
    resources = ["*"]
  }
  statement {
    sid       = "OwnKeys"
    effect    = "Allow"
    actions   = ["iam:ListAccessKeys"]
    resources = ["arn:aws:iam::*:user/$${aws:username}"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
  }
}

resource "aws_iam_policy" "read" {
  name        = "read"
  path        = "/team/"
  description = "Read users, written by aws_iam_policy_document"
  policy      = data.aws_iam_policy_document.read.json
  tags        = var.read_tags
}

resource "aws_iam_policy" "shared" {
  name = "shared"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:GetCallerIdentity", Resource = "*" }]
  })
}

resource "aws_iam_policy" "boundary_a" {
  name = "boundary-a"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "boundary_b" {
  name = "boundary-b"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:Get*", "iam:List*"], Resource = "*" }]
  })
}

resource "aws_iam_user_policy_attachment" "alice_read" {
  user       = aws_iam_user.alice.name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_user_policy_attachment" "alice_iam_read_only" {
  user       = aws_iam_user.alice.name
  policy_arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
}

resource "aws_iam_group_policy_attachment" "devs_read" {
  group      = aws_iam_group.devs.name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_policy_attachment" "shared" {
  name       = "shared-attachment"
  users      = [aws_iam_user.bob.name]
  groups     = [aws_iam_group.ops.name]
  policy_arn = aws_iam_policy.shared.arn
}

output "read_policy_arn" {
  value = aws_iam_policy.read.arn
}

output "read_policy_json" {
  value = data.aws_iam_policy_document.read.json
}
