"""moto_server for the integration tests, with two fixes where moto differs from AWS.

1. DynamoDB requests run one at a time. DynamoDB applies each conditional write, update and
   transaction atomically. moto's server handles requests on several threads and its DynamoDB
   backend takes no lock, so two conditional updates racing on one item can both succeed
   (measured here: 3 races in 200 with four writers). The organization ledger's one-summary
   claim and the sweep's lease rest on that atomicity, so the tests serialise DynamoDB requests,
   as DynamoDB itself serialises writes to an item. Other services still run concurrently.
2. CloudTrail's short JSON target. The AWS SDK for Rust sends `X-Amz-Target:
   CloudTrail_20131101.DescribeTrails`, which CloudTrail accepts; moto routes CloudTrail by the
   botocore model's prefix `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101` only and
   answers 404 to the short one. The short prefix is rewritten to the long one.

Usage: python moto_server_for_tests.py [moto_server's own arguments, e.g. -H 127.0.0.1 -p 5000]
"""
import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import main

_dynamodb = threading.Lock()
_call_action = DynamoHandler.call_action


def _call_action_atomically(self):
    with _dynamodb:
        return _call_action(self)


DynamoHandler.call_action = _call_action_atomically

_CLOUDTRAIL_SHORT = "CloudTrail_20131101."
_CLOUDTRAIL_LONG = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
_dispatch = DomainDispatcherApplication.__call__


def _dispatch_with_long_targets(self, environ, start_response):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith(_CLOUDTRAIL_SHORT):
        environ["HTTP_X_AMZ_TARGET"] = _CLOUDTRAIL_LONG + target[len(_CLOUDTRAIL_SHORT):]
    return _dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _dispatch_with_long_targets

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
