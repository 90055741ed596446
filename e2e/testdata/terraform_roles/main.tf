# The configuration e2e/terraform_roles_test.go applies to latchkey: two
# roles whose trust policies the aws_iam_policy_document data source writes
# (one trusting AWS services, one trusting the account, with a condition),
# a role with a path, a description, a longer session, tags and a
# permissions boundary, a role inline policy, a customer managed and an AWS
# managed policy attached to roles, an instance profile holding a role, and
# an OpenID Connect provider with a role trusting its tokens.
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

variable "app_services" {
  type        = list(string)
  description = "The services the app role trusts."
  default     = ["ec2.amazonaws.com"]
}

variable "app_description" {
  type    = string
  default = "Runs the app on EC2"
}

variable "app_max_session_duration" {
  type    = number
  default = 7200
}

variable "app_tags" {
  type    = map(string)
  default = { team = "platform", owner = "alice" }
}

variable "app_boundary" {
  type        = string
  description = "Which boundary policy the app role has: a or b."
  default     = "a"
}

variable "profile_role" {
  type        = string
  description = "Which role the instance profile holds: app or auditor."
  default     = "app"
}

variable "oidc_client_ids" {
  type        = list(string)
  description = "The OpenID Connect provider's client ids (audiences)."
  default     = ["sts.amazonaws.com", "legacy"]
}

variable "oidc_thumbprints" {
  type    = list(string)
  default = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

variable "oidc_tags" {
  type    = map(string)
  default = { team = "platform" }
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

data "aws_iam_policy_document" "app_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = var.app_services
    }
  }
}

data "aws_iam_policy_document" "auditor_trust" {
  statement {
    sid     = "Account"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["latchkey-e2e"]
    }
  }
}

resource "aws_iam_policy" "boundary_a" {
  name = "role-boundary-a"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:*", "sts:*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "boundary_b" {
  name = "role-boundary-b"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:Get*", "iam:List*"], Resource = "*" }]
  })
}

resource "aws_iam_policy" "app" {
  name        = "app"
  path        = "/team/"
  description = "What the app may do"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:GetCallerIdentity", Resource = "*" }]
  })
}

resource "aws_iam_role" "app" {
  name                 = "app"
  path                 = "/service/"
  description          = var.app_description
  assume_role_policy   = data.aws_iam_policy_document.app_trust.json
  max_session_duration = var.app_max_session_duration
  permissions_boundary = var.app_boundary == "a" ? aws_iam_policy.boundary_a.arn : aws_iam_policy.boundary_b.arn
  tags                 = var.app_tags
}

resource "aws_iam_role" "auditor" {
  name               = "auditor"
  assume_role_policy = data.aws_iam_policy_document.auditor_trust.json
  tags               = { team = "security" }
}

resource "aws_iam_role_policy" "app" {
  name = "app-inline"
  role = aws_iam_role.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:GetRole", "iam:ListRoles"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "app" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.app.arn
}

resource "aws_iam_role_policy_attachment" "auditor_iam_read_only" {
  role       = aws_iam_role.auditor.name
  policy_arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
}

resource "aws_iam_instance_profile" "app" {
  name = "app-profile"
  path = "/profiles/"
  role = var.profile_role == "app" ? aws_iam_role.app.name : aws_iam_role.auditor.name
  tags = { team = "platform" }
}

resource "aws_iam_openid_connect_provider" "ci" {
  url             = "https://token.ci.example.com/org"
  client_id_list  = var.oidc_client_ids
  thumbprint_list = var.oidc_thumbprints
  tags            = var.oidc_tags
}

data "aws_iam_policy_document" "ci_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.ci.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.ci.example.com/org:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.ci_trust.json
}

output "ci_trust_json" {
  value = data.aws_iam_policy_document.ci_trust.json
}

output "app_trust_json" {
  value = data.aws_iam_policy_document.app_trust.json
}

output "auditor_trust_json" {
  value = data.aws_iam_policy_document.auditor_trust.json
}
