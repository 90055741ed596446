# The configuration e2e/terraform_test.go applies to latchkey: the example of
# the aws_iam_access_key documentation (user "loadbalancer" in /system/, an
# access key, the ec2:Describe* inline policy), a second key of the same user
# encrypted to a PGP key the test makes, and the documentation's second user
# ("test" in /test/) with force_destroy, which the test gives a key and an
# inline policy Terraform does not know about before it destroys everything.
#
# The test copies this file into a temporary directory and drives the steps
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

variable "pgp_key" {
  type        = string
  description = "Base64 of a binary OpenPGP public key."
}

variable "user_name" {
  type    = string
  default = "loadbalancer"
}

variable "user_path" {
  type    = string
  default = "/system/"
}

variable "user_tags" {
  type    = map(string)
  default = {}
}

variable "key_status" {
  type    = string
  default = "Active"
}

# Only the instance metadata check is skipped (it would reach for
# 169.254.169.254); the provider validates its credentials and learns its
# account id from latchkey's sts:GetCallerIdentity.
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

resource "aws_iam_access_key" "lb" {
  user   = aws_iam_user.lb.name
  status = var.key_status
}

resource "aws_iam_access_key" "lb_pgp" {
  user    = aws_iam_user.lb.name
  pgp_key = var.pgp_key
}

resource "aws_iam_user" "lb" {
  name = var.user_name
  path = var.user_path
  tags = var.user_tags
}

resource "aws_iam_user_policy" "lb_ro" {
  name = "test"
  user = aws_iam_user.lb.name

  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "ec2:Describe*"
      ],
      "Effect": "Allow",
      "Resource": "*"
    }
  ]
}
EOF
}

resource "aws_iam_user" "test" {
  name          = "test"
  path          = "/test/"
  force_destroy = true
}

# No output reads aws_iam_user.lb.arn: hashicorp/aws 5.100.0 plans the arn as
# unchanged when the user is renamed, so such an output keeps the old ARN
# after the apply and the next plan shows an output change (AWS or not); the
# test reads the ARN through the IAM API instead.

output "secret" {
  value     = aws_iam_access_key.lb.secret
  sensitive = true
}

output "encrypted_secret" {
  value = aws_iam_access_key.lb_pgp.encrypted_secret
}

output "key_fingerprint" {
  value = aws_iam_access_key.lb_pgp.key_fingerprint
}

output "ses_smtp_password_v4" {
  value     = aws_iam_access_key.lb.ses_smtp_password_v4
  sensitive = true
}

output "create_date" {
  value = aws_iam_access_key.lb.create_date
}

output "key_id" {
  value = aws_iam_access_key.lb.id
}

output "pgp_key_id" {
  value = aws_iam_access_key.lb_pgp.id
}
