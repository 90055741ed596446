# The configuration e2e/session_clients_test.go applies to latchkey: the
# provider signs with a user's long-term key only to call sts:AssumeRole
# (its assume_role block), and makes every other call with the role
# session's temporary credentials. The user may do nothing but assume the
# role, so the user and the inline policy below can only have been made by
# the session; aws_caller_identity says whom the provider acts as.
#
# The test copies this file into a temporary directory and sets the
# variables in terraform.tfvars.json; nothing here names a real AWS endpoint.

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
  type        = string
  description = "The source user's long-term access key id."
}

variable "secret_key" {
  type      = string
  sensitive = true
}

variable "role_arn" {
  type = string
}

variable "session_name" {
  type = string
}

provider "aws" {
  region     = "us-east-1"
  access_key = var.access_key
  secret_key = var.secret_key

  skip_metadata_api_check = true

  assume_role {
    role_arn     = var.role_arn
    session_name = var.session_name
  }

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_user" "made" {
  name = "made-by-session"
  path = "/sessions/"
  tags = {
    made-by = "terraform"
  }
}

resource "aws_iam_user_policy" "made" {
  name = "read-self"
  user = aws_iam_user.made.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:GetUser"
      Resource = aws_iam_user.made.arn
    }]
  })
}

output "caller_arn" {
  value = data.aws_caller_identity.current.arn
}

output "caller_user_id" {
  value = data.aws_caller_identity.current.user_id
}

output "user_arn" {
  value = aws_iam_user.made.arn
}
