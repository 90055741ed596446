// The "Getting the last use for access keys" example of the AWS SDK for
// JavaScript v3 developer guide (Managing IAM access keys),
// unchanged but for the client's endpoint and credentials and the
// placeholders, which e2e/js_test.go sets in the environment.

// Import required AWS SDK clients and commands for Node.js
const {
  IAMClient,
  GetAccessKeyLastUsedCommand
} = require("@aws-sdk/client-iam");

// Set the AWS Region
const REGION = process.env.AWS_REGION; //e.g. "us-east-1"

// Set the parameters
const params = { AccessKeyId: process.env.ACCESS_KEY_ID }; //ACCESS_KEY_ID

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
    const data = await iam.send(new GetAccessKeyLastUsedCommand(params));
    console.log("Success", data.AccessKeyLastUsed);
  } catch (err) {
    console.log("Error", err);
  }
};
run();
