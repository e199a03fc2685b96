"""The one credential rule: TMDB_API_KEY from the environment (or a file, or an option); else the
Secrets Manager secret named by TMDB_API_KEY_SECRET; else the SSM SecureString named by
TMDB_API_KEY_PARAMETER. The value never reaches a log, an error or a metric: errors name the
secret, not its text."""

from __future__ import annotations

import json
from typing import Any

from tmdb_collector.config import (
    AWS_SETTINGS,
    TMDB_API_KEY,
    TMDB_API_KEY_PARAMETER,
    TMDB_API_KEY_SECRET,
    Config,
)
from tmdb_collector.errors import ConfigurationError, UpstreamRejectedError
from tmdb_collector.tmdb import Credential

__all__ = ["credential_from_text", "find_credential"]


def find_credential(config: Config) -> Credential | None:
    """The TMDB credential by the one rule, or None when no source names one."""
    secret = config[TMDB_API_KEY]
    if secret is not None:
        return Credential(secret.reveal())
    return _from_aws(config)


def _from_aws(config: Config) -> Credential | None:
    secret, parameter = config[TMDB_API_KEY_SECRET], config[TMDB_API_KEY_PARAMETER]
    if secret is None and parameter is None:
        return None
    import boto3  # noqa: PLC0415 (only a process reading a secret pays for it)
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    environ = config.environ(AWS_SETTINGS)
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    try:
        if secret is not None:
            answer = boto3.client("secretsmanager", region_name=region).get_secret_value(
                SecretId=secret
            )
            text = _secret_text(answer.get("SecretString") or "")
            where = f"the secret {secret} (TMDB_API_KEY_SECRET)"
        else:
            assert parameter is not None  # noqa: S101 - one of the two is set, checked above
            answer = boto3.client("ssm", region_name=region).get_parameter(
                Name=parameter, WithDecryption=True
            )
            text = str(answer["Parameter"]["Value"]).strip()
            where = f"the parameter {parameter} (TMDB_API_KEY_PARAMETER)"
    except (BotoCoreError, ClientError) as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        raise UpstreamRejectedError(
            f"cannot read the TMDB credential from {secret or parameter}: {code}; check that it "
            "exists and that the function's role may read it"
        ) from None
    try:
        return Credential(text)
    except ValueError:
        raise ConfigurationError(
            f"{where} does not hold a TMDB credential (a v4 read access token or v3 API key, "
            f'as plain text or as JSON {{"{TMDB_API_KEY.name}": "..."}})'
        ) from None


def credential_from_text(value: str) -> Credential:
    """The credential in a secret's text (plain, or JSON with TMDB_API_KEY); ValueError if none."""
    return Credential(_secret_text(value))


def _secret_text(value: str) -> str:
    """A secret stored as plain text, or as JSON with the credential under TMDB_API_KEY."""
    value = value.strip()
    if value.startswith("{"):
        try:
            document: Any = json.loads(value)
        except ValueError:
            return value
        if isinstance(document, dict):
            for name in (TMDB_API_KEY.name, TMDB_API_KEY.key, "api_key"):
                if isinstance(document.get(name), str):
                    return str(document[name]).strip()
    return value
