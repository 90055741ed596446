// The "Updating access key status" example of the AWS SDK for JavaScript v3
// developer guide (Managing IAM access keys),
// unchanged but for the client's endpoint and credentials and the
// placeholders, which e2e/js_test.go sets in the environment.
// The guide's note names the status a placeholder too ("the access key ID
// and the updated status"): ACCESS_KEY_STATUS, "Active" when unset.

// Import required AWS SDK clients and commands for Node.js
const { IAMClient, UpdateAccessKeyCommand } = require("@aws-sdk/client-iam");

// Set the AWS Region
const REGION = process.env.AWS_REGION; //e.g. "us-east-1"

// Set the parameters
const params = {
  AccessKeyId: process.env.ACCESS_KEY_ID, //ACCESS_KEY_ID
  Status: process.env.ACCESS_KEY_STATUS || "Active",
  UserName: process.env.USER_NAME, //USER_NAME
};

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
    const data = await iam.send(new UpdateAccessKeyCommand(params));
    console.log("Success", data);
  } catch (err) {
    console.log("Error", err);
  }
};
run();
