// The AWS SDK for JavaScript v3 against a pytest-batchjobs server, as another
// language's test suite would drive it: seed jobs and inject faults through the
// control API, walk every page with the SDK's paginators, and catch the SDK's
// error classes. Prints one JSON document for the Python test to check.
//
//   node batch_clients.cjs http://127.0.0.1:PORT
//
// The SDK packages are found through NODE_PATH (the test installs them in a cache).
'use strict';

const { controlAt, failure } = require('./support.cjs');

const bedrockSdk = require('@aws-sdk/client-bedrock');
const personalizeSdk = require('@aws-sdk/client-personalize');

const endpoint = process.argv[2];
const control = controlAt(endpoint);
const clientConfig = {
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLEDUMMY0000', secretAccessKey: 'dummy-secret' },
  maxAttempts: 1,
};

async function main() {
  const result = {};
  const bedrock = new bedrockSdk.BedrockClient(clientConfig);
  const personalize = new personalizeSdk.PersonalizeClient(clientConfig);

  await control('bedrock/jobs', { count: 10, status: 'InProgress' });
  await control('personalize/jobs', { count: 7 });
  const created = await bedrock.send(
    new bedrockSdk.CreateModelInvocationJobCommand({
      jobName: 'from-javascript',
      roleArn: 'arn:aws:iam::123456789012:role/BatchRole',
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      inputDataConfig: { s3InputDataConfig: { s3Uri: 's3://batch-in/records.jsonl' } },
      outputDataConfig: { s3OutputDataConfig: { s3Uri: 's3://batch-out/results/' } },
    }),
  );
  result.created = created.jobArn;
  result.createdStatus = created.$metadata.httpStatusCode;

  result.bedrockPages = [];
  const bedrockPages = bedrockSdk.paginateListModelInvocationJobs(
    { client: bedrock, pageSize: 4 },
    {},
  );
  for await (const page of bedrockPages) {
    result.bedrockPages.push(page.invocationJobSummaries.map((job) => job.jobArn));
  }

  result.personalizePages = [];
  const personalizePages = personalizeSdk.paginateListBatchInferenceJobs(
    { client: personalize, pageSize: 3 },
    {},
  );
  for await (const page of personalizePages) {
    result.personalizePages.push(page.batchInferenceJobs.map((job) => job.batchInferenceJobArn));
  }

  // Batch segment jobs: a job kind of their own, seeded at their own control path.
  await control('personalize_segments/jobs', { count: 5, status: 'ACTIVE' });
  result.segmentPages = [];
  const segmentPages = personalizeSdk.paginateListBatchSegmentJobs(
    { client: personalize, pageSize: 2 },
    {},
  );
  for await (const page of segmentPages) {
    result.segmentPages.push(page.batchSegmentJobs.map((job) => job.batchSegmentJobArn));
  }
  // A batch inference job's ARN names no segment job.
  result.segmentMissing = await failure(
    personalize.send(
      new personalizeSdk.DescribeBatchSegmentJobCommand({
        batchSegmentJobArn: result.personalizePages[0][0],
      }),
    ),
    personalizeSdk.ResourceNotFoundException,
  );

  const get = new bedrockSdk.GetModelInvocationJobCommand({ jobIdentifier: created.jobArn });
  await control('faults/fail', {
    operation: 'GetModelInvocationJob',
    error: 'ThrottlingException',
  });
  result.throttling = await failure(bedrock.send(get), bedrockSdk.ThrottlingException);

  await control('faults/fail', {
    operation: 'GetModelInvocationJob',
    error: 'ValidationException',
    message: 'injected through the control API',
  });
  result.validation = await failure(bedrock.send(get), bedrockSdk.ValidationException);

  // Not injected: the fake checks maxResults as the service does (1..1000).
  result.tooMany = await failure(
    bedrock.send(new bedrockSdk.ListModelInvocationJobsCommand({ maxResults: 1001 })),
    bedrockSdk.ValidationException,
  );

  // Personalize does not model ThrottlingException: the SDK's service exception.
  await control('faults/fail', {
    operation: 'ListBatchInferenceJobs',
    error: 'ThrottlingException',
  });
  result.personalizeThrottling = await failure(
    personalize.send(new personalizeSdk.ListBatchInferenceJobsCommand({})),
    personalizeSdk.PersonalizeServiceException,
  );

  // The SDK's own retry recovers from one throttling error.
  await control('faults/fail', {
    operation: 'GetModelInvocationJob',
    error: 'ThrottlingException',
  });
  const retrying = new bedrockSdk.BedrockClient({ ...clientConfig, maxAttempts: 3 });
  const recovered = await retrying.send(get);
  result.recovered = { status: recovered.status, attempts: recovered.$metadata.attempts };

  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
