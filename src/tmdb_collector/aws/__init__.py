"""The pipeline on AWS Lambda: ``handlers.harvest`` (scheduled or triggered), ``handlers.collect``
(an SQS event source's batches) and ``handlers.compact`` (scheduled). Thin surfaces over
``tmdb_collector.app``, wired from the same settings as the CLI (docs/aws.md)."""
