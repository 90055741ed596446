// Clients that act as an assumed role, with the fromTemporaryCredentials
// provider of @aws-sdk/credential-providers as its README shows it: the
// provider calls sts:AssumeRole with the master credentials and gives the
// clients the role session's temporary credentials. e2e/session_clients_test.go
// sets the endpoint, the master credentials and the placeholders in the
// environment.
//
// It prints "Success" and one JSON object: the credentials the provider
// resolved (their key id and expiration), GetCallerIdentity as the session,
// the user it created and the users it listed.

// Import required AWS SDK clients, commands and the credential provider
const { IAMClient, CreateUserCommand, ListUsersCommand } = require("@aws-sdk/client-iam");
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
const { fromTemporaryCredentials } = require("@aws-sdk/credential-providers");

// Set the AWS Region
const REGION = process.env.AWS_REGION; //e.g. "us-east-1"

// The role session's credentials, refreshed by the provider as they expire
const credentials = fromTemporaryCredentials({
  // The long-term credentials that call sts:AssumeRole
  masterCredentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  },
  // Options passed to the STS AssumeRole operation
  params: {
    RoleArn: process.env.ROLE_ARN, //ROLE_ARN
    RoleSessionName: process.env.ROLE_SESSION_NAME, //ROLE_SESSION_NAME
    DurationSeconds: 900,
  },
  // The configuration of the provider's own STS client
  clientConfig: { region: REGION, endpoint: process.env.LATCHKEY_ENDPOINT },
});

// Create the service objects, both signing as the session
const sts = new STSClient({ region: REGION, endpoint: process.env.LATCHKEY_ENDPOINT, credentials });
const iam = new IAMClient({ region: REGION, endpoint: process.env.LATCHKEY_ENDPOINT, credentials });

const run = async () => {
  try {
    const resolved = await credentials();
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const created = await iam.send(new CreateUserCommand({ UserName: process.env.IAM_USER_NAME }));
    const listed = await iam.send(new ListUsersCommand({}));
    console.log(
      "Success",
      JSON.stringify({
        AccessKeyId: resolved.accessKeyId,
        HasSessionToken: Boolean(resolved.sessionToken),
        Expiration: resolved.expiration,
        Identity: { Arn: identity.Arn, UserId: identity.UserId, Account: identity.Account },
        CreatedUser: created.User.Arn,
        Users: listed.Users.map((u) => u.UserName),
      }),
    );
  } catch (err) {
    console.log("Error", err);
  }
};
run();
