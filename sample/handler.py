#!/usr/bin/env python3
"""A `oneline server --handler` in Python: a frequency setting that later queries remember."""
import json
import sys

frequency = 0.0
for line in sys.stdin:
    command = json.loads(line)["command"]
    responses = []
    try:
        if command.startswith("!FREQ "):
            frequency = float(command[len("!FREQ "):])
        elif command == "?FREQ":
            responses = [f"{frequency:g}"]
        else:
            responses = [f"error: unknown command {command!r}"]
    except ValueError:
        responses = ["error: not a number"]
    print(json.dumps({"responses": responses}), flush=True)
