// Not from the guide: the listing example above, paged. It asks for
// MAX_ITEMS keys at a time and follows Marker until IsTruncated is false,
// printing one "Page" line per response and then "Success" with every key,
// in the same style as the guide's examples.

const { IAMClient, ListAccessKeysCommand } = require("@aws-sdk/client-iam");

const REGION = process.env.AWS_REGION;

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
    const keys = [];
    let Marker;
    let pages = 0;
    do {
      const data = await iam.send(
        new ListAccessKeysCommand({
          MaxItems: Number(process.env.MAX_ITEMS),
          UserName: process.env.IAM_USER_NAME,
          Marker,
        })
      );
      console.log(
        "Page",
        JSON.stringify({
          AccessKeyIds: data.AccessKeyMetadata.map((k) => k.AccessKeyId),
          IsTruncated: data.IsTruncated,
          Marker: data.Marker,
        })
      );
      keys.push(...data.AccessKeyMetadata);
      Marker = data.IsTruncated ? data.Marker : undefined;
      if (++pages === 100) throw new Error("still truncated after 100 pages");
    } while (Marker !== undefined);
    console.log("Success", keys);
  } catch (err) {
    console.log("Error", err);
  }
};
run();
