// The AWS SDK for JavaScript v3's SageMaker client against a pytest-batchjobs server:
// create and describe a transform job, walk ListTransformJobs with the SDK's paginator,
// move the fake clock through the control API, and catch the SDK's error classes.
// Prints one JSON document for the Python test to check.
//
//   node sagemaker_transform.cjs http://127.0.0.1:PORT
'use strict';

const { controlAt, failure } = require('./support.cjs');

const sdk = require('@aws-sdk/client-sagemaker');

const endpoint = process.argv[2];
const control = controlAt(endpoint);
const client = new sdk.SageMakerClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLEDUMMY0000', secretAccessKey: 'dummy-secret' },
  maxAttempts: 1,
});

const PARAMS = {
  TransformJobName: 'From-JavaScript',
  ModelName: 'churn-xgboost-v7',
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://scoring-in/2024/' } },
    SplitType: 'Line',
  },
  TransformOutput: { S3OutputPath: 's3://scoring-out/js', AssembleWith: 'Line' },
  TransformResources: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
};

async function main() {
  const result = {};
  await control('sagemaker/jobs', { count: 6, status: 'Completed' });
  const created = await client.send(new sdk.CreateTransformJobCommand(PARAMS));
  result.created = created.TransformJobArn;
  const describe = new sdk.DescribeTransformJobCommand({ TransformJobName: 'From-JavaScript' });
  const first = await client.send(describe);
  result.statusAtFirst = first.TransformJobStatus;
  result.creationIsDate = first.CreationTime instanceof Date;
  await control('clock/advance', { minutes: 10 });
  const later = await client.send(describe);
  result.statusLater = later.TransformJobStatus;
  result.ended = later.TransformEndTime.getTime() - later.CreationTime.getTime();

  result.pages = [];
  const pages = sdk.paginateListTransformJobs({ client, pageSize: 3 }, {});
  for await (const page of pages) {
    result.pages.push(page.TransformJobSummaries.map((job) => job.TransformJobArn));
  }
  result.inUse = await failure(client.send(new sdk.CreateTransformJobCommand(PARAMS)), sdk.ResourceInUse);
  result.missing = await failure(
    client.send(new sdk.DescribeTransformJobCommand({ TransformJobName: 'missing' })),
    sdk.SageMakerServiceException,
  );
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
