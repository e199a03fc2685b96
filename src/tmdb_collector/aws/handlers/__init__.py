"""The Lambda functions' entry points, one module each (the SAM template names these paths):
``tmdb_collector.aws.handlers.harvest.handler``, ``...collect.handler``, ``...compact.handler``.
"""
