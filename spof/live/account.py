"""One AWS account as the live check reads it: a boto3 session, the stack's tags and what was skipped.

A stack's resources are the ones tagged `pulumi:project` and `pulumi:stack` with the project's
and the stack's names, which every component of this project sets. Errors that stop the whole
check (no credentials, an unreachable endpoint, a rejected caller) become a `LiveAccessError`
with one line to print. Any other error of one service skips that service with a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError

from ..graph import Resource

STACK_TAG = "pulumi:stack"
PROJECT_TAG = "pulumi:project"
LAYER_TAG = "layer"
NAME_TAG = "Name"

# botocore 1.44 waits up to 60 s to connect and makes up to 3 attempts by default. A live check
# should report an unreachable endpoint within seconds, so it makes 2 attempts of 3 s each.
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"})

# Error codes with which AWS rejects the caller rather than one request: the check cannot go on.
AUTH_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidAccessKeyId",
        "InvalidClientTokenId",
        "InvalidToken",
        "MissingAuthenticationToken",
        "RequestExpired",
        "SignatureDoesNotMatch",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)

_CREDENTIAL_ERRORS = (CredentialRetrievalError, SSOError, TokenRetrievalError)


class LiveAccessError(Exception):
    """The account cannot be read at all: no credentials, an unreachable endpoint or a rejected caller."""


class ServiceReadError(Exception):
    """One service could not be read; the check goes on without it and reports the reason."""


def live_urn(stack: str, type_: str, resource_id: str) -> str:
    """Return the synthetic URN of a live resource: `urn:<provider>:live::<stack>::<type>::<id>`.

    A deployed account contains no Pulumi URNs (they are kept in the Pulumi state, which this check
    does not read). Findings therefore name a live resource by this stable form, built from the
    provider (`aws` or `cloudflare`), the stack, the Pulumi type token and the provider's id.
    """
    provider = type_.split(":", 1)[0]
    return f"urn:{provider}:live::{stack}::{type_}::{resource_id}"


def tag_map(tags: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    """Turn AWS's list of `{"Key": ..., "Value": ...}` into a map."""
    return {str(tag["Key"]): str(tag.get("Value", "")) for tag in tags or () if "Key" in tag}


def display_name(tags: Mapping[str, str], resource_id: str) -> str:
    """Name a resource as the console does: its Name tag with the id, or the id alone."""
    name = tags.get(NAME_TAG)
    return f"{name} ({resource_id})" if name and name != resource_id else resource_id


def access_error(error: Exception, endpoint: str, region: str) -> LiveAccessError | None:
    """Return the one-line error for an exception that stops the whole check, or None."""
    where = f"{endpoint} (region {region})"
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return LiveAccessError(
            f"no AWS credentials found for {where}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run `aws sso login`, then retry"
        )
    if isinstance(error, ProfileNotFound):
        return LiveAccessError(f"{error}: set AWS_PROFILE to a profile of ~/.aws/config, or unset it")
    if isinstance(error, _CREDENTIAL_ERRORS):
        return LiveAccessError(f"AWS credentials could not be loaded for {where}: {error}")
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError)):
        return LiveAccessError(
            f"cannot reach the AWS endpoint {where}: connection failed; check --endpoint-url, "
            "--region and the network, then retry"
        )
    if isinstance(error, ReadTimeoutError):
        return LiveAccessError(f"reading from the AWS endpoint {where} timed out; retry later")
    if isinstance(error, HTTPClientError):
        return LiveAccessError(f"cannot reach the AWS endpoint {where}: {error}")
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in AUTH_ERROR_CODES:
            message = error.response.get("Error", {}).get("Message", "")
            return LiveAccessError(
                f"AWS rejected {error.operation_name} at {where}: {code}: {message}; check that the "
                "credentials are valid and allow the check's read-only List, Describe and Get calls"
            )
    return None


def failure_reason(error: Exception) -> str:
    """Describe in one line an error that skips a service."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code") or error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{error.operation_name} failed: {code}: {details.get('Message', '')}".rstrip(": ")
    # A parser error quotes the whole response body, and its first line names the problem.
    lines = str(error).splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")


@dataclass
class Account:
    """A boto3 session on one account and region, and the tags that mark the stack's resources."""

    stack: str
    project: str
    region: str
    endpoint_url: str | None = None
    session: boto3.session.Session | None = None
    account_id: str = ""
    partition: str = "aws"
    # Service name -> why it was not read.
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _tag_indexes: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict, repr=False)
    _tag_index_failures: dict[str, str] = field(default_factory=dict, repr=False)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            try:
                if self.session is None:
                    self.session = boto3.session.Session()
                self._clients[key] = self.session.client(
                    service, region_name=key[1], endpoint_url=self.endpoint_url, config=CLIENT_CONFIG
                )
            except BotoCoreError as error:
                raise self._fatal(error, service) from None
        return self._clients[key]

    def endpoint(self, service: str, region: str | None = None) -> str:
        """Return the endpoint that requests go to, for error messages."""
        if self.endpoint_url:
            return self.endpoint_url
        client = self._clients.get((service, region or self.region))
        return str(client.meta.endpoint_url) if client is not None else f"the {service} endpoint"

    def check_access(self) -> None:
        """Read the caller's identity, so that missing credentials or endpoints fail before anything else."""
        try:
            identity = self.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as error:
            raise self._fatal(error, "sts") from None
        self.account_id = str(identity.get("Account", ""))
        arn = str(identity.get("Arn", ""))
        if arn.startswith("arn:"):
            self.partition = arn.split(":")[1]

    def _fatal(self, error: Exception, service: str) -> LiveAccessError:
        """Return the one-line error for a failure that stops the check, whatever its kind."""
        fatal = access_error(error, self.endpoint(service), self.region)
        if fatal is not None:
            return fatal
        where = f"{self.endpoint(service)} (region {self.region})"
        return LiveAccessError(f"reading {service} at {where} failed: {failure_reason(error)}")

    def read(self, service: str, reader: Callable[[], list[Resource]]) -> list[Resource]:
        """Run one service's reader; an error that concerns only that service skips it with a note."""
        try:
            return reader()
        except ServiceReadError as error:
            self.skipped[service] = str(error)
        except (BotoCoreError, ClientError, ResponseParserError) as error:
            fatal = access_error(error, self.endpoint(service), self.region)
            if fatal is not None:
                raise fatal from None
            self.skipped[service] = failure_reason(error)
        return []

    def owns(self, tags: Mapping[str, str]) -> bool:
        """Return whether tags mark a resource of this project's stack."""
        return tags.get(STACK_TAG) == self.stack and tags.get(PROJECT_TAG) == self.project

    def ec2_filters(self) -> list[dict[str, Any]]:
        """Return the describe-call filters (EC2, Auto Scaling) that select the stack's resources."""
        return [
            {"Name": f"tag:{STACK_TAG}", "Values": [self.stack]},
            {"Name": f"tag:{PROJECT_TAG}", "Values": [self.project]},
        ]

    def stack_tags(self, arn: str, region: str | None = None) -> dict[str, str] | None:
        """Return the tags of a resource that belongs to the stack, or None when it does not.

        Looks the ARN up in what the Resource Groups Tagging API returns for the region, so that
        services whose describe calls omit tags need no call per resource.
        """
        return self._tag_index(region or self.region).get(arn)

    def tagged_arns(self, marker: str, regions: Iterable[str]) -> dict[str, dict[str, str]]:
        """Return the stack's ARNs that contain `marker` (such as `:s3:::`) in any of the regions."""
        found: dict[str, dict[str, str]] = {}
        for region in regions:
            found.update({arn: tags for arn, tags in self._tag_index(region).items() if marker in arn})
        return found

    @property
    def indexed_regions(self) -> list[str]:
        return sorted(self._tag_indexes)

    def _tag_index(self, region: str) -> dict[str, dict[str, str]]:
        if region in self._tag_index_failures:
            raise ServiceReadError(self._tag_index_failures[region])
        if region not in self._tag_indexes:
            filters = [{"Key": STACK_TAG, "Values": [self.stack]}, {"Key": PROJECT_TAG, "Values": [self.project]}]
            try:
                pages = self.client("resourcegroupstaggingapi", region).get_paginator("get_resources")
                index = {
                    mapping["ResourceARN"]: tag_map(mapping.get("Tags"))
                    for page in pages.paginate(TagFilters=filters)
                    for mapping in page.get("ResourceTagMappingList", ())
                }
            except (BotoCoreError, ClientError, ResponseParserError) as error:
                fatal = access_error(error, self.endpoint("resourcegroupstaggingapi", region), region)
                if fatal is not None:
                    raise fatal from None
                reason = f"the Resource Groups Tagging API failed in {region}: {failure_reason(error)}"
                self._tag_index_failures[region] = reason
                raise ServiceReadError(reason) from None
            self._tag_indexes[region] = index
        return self._tag_indexes[region]

    def resource(
        self,
        type_: str,
        resource_id: str,
        name: str,
        props: dict[str, Any],
        outputs: dict[str, Any] | None = None,
    ) -> Resource:
        """Build a graph resource with its synthetic URN; `props` use the Pulumi input names."""
        return Resource(
            urn=live_urn(self.stack, type_, resource_id),
            type=type_,
            name=name,
            props=props,
            id=resource_id,
            outputs=outputs or {},
        )


def paginate(client: Any, operation: str, result_key: str, **parameters: Any) -> Iterator[dict[str, Any]]:
    """Yield every item of a paginated describe or list call."""
    for page in client.get_paginator(operation).paginate(**parameters):
        yield from page.get(result_key) or ()
