"""What a batch job does with its data: read the input, answer every record, write outputs.

Layouts and record formats follow the AWS documentation:

* Bedrock, "View the results of a batch inference job"
  (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html):
  under the output URI, a folder named by the job id holds ``<input file name>.out``
  for each input file, one JSON line per record (``recordId``, ``modelInput``, and
  ``modelOutput`` or ``error: {errorCode, errorMessage}``), and ``manifest.json.out``
  with ``totalRecordCount``, ``processedRecordCount``, ``successRecordCount``,
  ``errorRecordCount``, ``inputTokenCount``, ``outputTokenCount``. A record without a
  ``recordId`` gets an 11-character one. Record order in outputs is not guaranteed.
* Personalize, "Getting batch recommendations"
  (https://docs.aws.amazon.com/personalize/latest/dg/getting-batch-recommendations.html):
  ``<output path><input file name>.out``, one JSON line per input line:
  ``{"input": {...}, "output": {"recommendedItems": [...], "scores": [...]}, "error": null}``.
"""
