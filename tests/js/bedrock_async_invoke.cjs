// The AWS SDK for JavaScript v3's Bedrock Runtime client, as it comes (its default
// request handler, NodeHttp2Handler: HTTP/2 with prior knowledge over http://), against
// a pytest-batchjobs server: start a Nova Reel async invocation, get it before and
// after the fake clock moves, walk ListAsyncInvokes with the SDK's paginator, several
// calls at once on the one HTTP/2 session, and catch the SDK's error classes.
// Prints one JSON document for the Python test to check.
//
//   node bedrock_async_invoke.cjs http://127.0.0.1:PORT
'use strict';

const { controlAt, failure } = require('./support.cjs');

const sdk = require('@aws-sdk/client-bedrock-runtime');

const endpoint = process.argv[2];
const control = controlAt(endpoint);
const settings = {
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLEDUMMY0000', secretAccessKey: 'dummy-secret' },
};
const client = new sdk.BedrockRuntimeClient({ ...settings, maxAttempts: 1 });

const REEL = {
  modelId: 'amazon.nova-reel-v1:1',
  modelInput: {
    taskType: 'TEXT_VIDEO',
    textToVideoParams: { text: 'A lighthouse in a storm, waves crashing' },
    videoGenerationConfig: { durationSeconds: 6, fps: 24, dimension: '1280x720' },
  },
  outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://videos-out/reels' } },
};

async function main() {
  const result = { handler: client.config.requestHandler.constructor.name };
  await control('bedrock_async/jobs', { count: 4, status: 'Completed' });
  const started = await client.send(new sdk.StartAsyncInvokeCommand(REEL));
  result.started = started.invocationArn;
  const get = new sdk.GetAsyncInvokeCommand({ invocationArn: started.invocationArn });
  result.statusAtFirst = (await client.send(get)).status;
  await control('clock/advance', { hours: 1 });
  const later = await client.send(get);
  result.statusLater = later.status;
  result.outputUri = later.outputDataConfig.s3OutputDataConfig.s3Uri;

  result.pages = [];
  const pages = sdk.paginateListAsyncInvokes({ client, pageSize: 2 }, {});
  for await (const page of pages) {
    result.pages.push(page.asyncInvokeSummaries.map((summary) => summary.invocationArn));
  }
  // Eight calls at once: streams of the one session the client keeps.
  const many = await Promise.all(Array.from({ length: 8 }, () => client.send(get)));
  result.concurrent = many.map((answer) => answer.invocationArn === started.invocationArn);

  const missing = `${started.invocationArn.slice(0, -12)}zzzzzzzzzzzz`;
  result.missing = await failure(
    client.send(new sdk.GetAsyncInvokeCommand({ invocationArn: missing })),
    sdk.ValidationException,
  );
  result.invalid = await failure(
    client.send(new sdk.StartAsyncInvokeCommand({ ...REEL, modelId: 'no such model!' })),
    sdk.ValidationException,
  );
  // A connection_reset fault ends the HTTP/2 session (GOAWAY INTERNAL_ERROR): the SDK's
  // standard retry opens a new session and the second attempt is answered.
  await control('faults/transport', { operation: 'GetAsyncInvoke', kind: 'connection_reset' });
  const retrying = new sdk.BedrockRuntimeClient({ ...settings, maxAttempts: 2 });
  const recovered = await retrying.send(get);
  result.recovered = { status: recovered.status, attempts: recovered.$metadata.attempts };
  retrying.destroy();
  client.destroy();
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
