"""moto_server for the integration tests, with one fix: DynamoDB requests run one at a time.

DynamoDB applies each conditional write, update and transaction atomically. moto's server
handles requests on several threads and its DynamoDB backend takes no lock, so two conditional
updates racing on one item can both succeed (measured here: 3 races in 200 with four writers).
The organization ledger's one-summary claim rests on that atomicity, so the tests serialise
DynamoDB requests, as DynamoDB itself serialises writes to an item. Other services still run
concurrently.

Usage: python moto_server_atomic.py [moto_server's own arguments, e.g. -H 127.0.0.1 -p 5000]
"""
import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_dynamodb = threading.Lock()
_call_action = DynamoHandler.call_action


def _call_action_atomically(self):
    with _dynamodb:
        return _call_action(self)


DynamoHandler.call_action = _call_action_atomically

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
