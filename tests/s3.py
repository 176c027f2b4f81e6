"""A real S3 API on localhost for the tests: moto's server, with authentication on.

Not a mock of Streetlight's code: pyarrow's and polars' own S3 clients talk HTTP to it, sign
their requests, and are refused with a wrong secret, as by a bucket in the cloud. Stores are
uploaded as an operator would publish one (`docs/cluster.md`): every file, the manifest last.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

REGION = "eu-west-2"
# Anything may do before authentication is switched on (the server's own bootstrap keys).
_BOOTSTRAP = {"aws_access_key_id": "bootstrap", "aws_secret_access_key": "bootstrap"}


@dataclass(frozen=True)
class S3Server:
    """A running server and the one IAM user allowed to read and write its buckets."""

    endpoint: str
    access_key: str
    secret_key: str = field(repr=False)

    def env(self, **changes: str) -> dict[str, str]:
        """The `AWS_*` variables a reader on this machine is given (`changes` override)."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.endpoint,
            **changes,
        }

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def publish(self, store: Path, bucket: str, prefix: str) -> str:
        """Upload the store in `store` to `s3://bucket/prefix`, the manifest last; its URL."""
        client = self.client()
        if bucket not in {b["Name"] for b in client.list_buckets()["Buckets"]}:
            client.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        files = sorted(p for p in store.rglob("*") if p.is_file() and p.name != ".lock")
        manifest = store / "manifest.json"
        for path in [*(p for p in files if p != manifest), manifest]:
            client.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(store).as_posix()}")
        return f"s3://{bucket}/{prefix}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _set_authentication(endpoint: str, count: str) -> None:
    """moto checks signatures and permissions after `count` unchecked requests ("inf": never)."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's S3 (and IAM) on a free port of 127.0.0.1, authentication on, until the block ends."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION, **_BOOTSTRAP)
        iam.create_user(UserName="streetlight")
        policy = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
        iam.put_user_policy(
            UserName="streetlight",
            PolicyName="buckets",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [policy]}),
        )
        key = iam.create_access_key(UserName="streetlight")["AccessKey"]
        _set_authentication(endpoint, "0")
        yield S3Server(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        _set_authentication(endpoint, "inf")  # the setting is the process's, not the server's
        server.stop()
