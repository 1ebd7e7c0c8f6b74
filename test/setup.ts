// Tests run on Node 20 on purpose (CI's version); the SDK's Node-version notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// No test reaches AWS: fixed dummy credentials keep the SDK from looking for real ones.
process.env.AWS_ACCESS_KEY_ID = "test";
process.env.AWS_SECRET_ACCESS_KEY = "test";
process.env.AWS_REGION = "us-east-1";
