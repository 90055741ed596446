// The "Creating access keys for a user" example of the AWS SDK for
// JavaScript v3 developer guide (Managing IAM access keys), unchanged but
// for the client's endpoint and credentials and the placeholders, which
// e2e/js_test.go sets in the environment.
//
// CreateAccessKeyCommand is given the bare user name, as the guide writes
// it: the command takes an input object, so the request carries no
// UserName and IAM creates the key for the caller.

// Import required AWS SDK clients and commands for Node.js
const { IAMClient, CreateAccessKeyCommand } = require("@aws-sdk/client-iam");

// Set the AWS Region
const REGION = process.env.AWS_REGION; //e.g. "us-east-1"

// Set the parameters
const userName = process.env.IAM_USER_NAME; //IAM_USER_NAME

// Create IAM service object
const iam = new IAMClient({
  region: REGION,
  endpoint: process.env.LATCHKEY_ENDPOINT,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  },
});

const run = async () => {
  try {
    const data = await iam.send(new CreateAccessKeyCommand(userName));
    console.log("Success", data.AccessKey);
  } catch (err) {
    console.log("Error", err);
  }
};
run();
