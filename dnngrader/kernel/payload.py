"""What a student's function returned, carried from the kernel to the judge as plain JSON.

Only data crosses: arrays as raw bytes with dtype and shape, tuples, lists, dicts, numbers,
booleans and strings.  Anything else (an object with a clever ``__eq__``, an ndarray subclass, an
array of objects) arrives as an inert stand-in that keeps only its type name, so nothing a
student defines ever runs in the judge.
"""

import base64
import json

import numpy as np

MIME_TYPE = "application/x-dnngrader-results"
MAX_ELEMENTS = 1_000_000


def encode(value):
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        if value.size > MAX_ELEMENTS:
            return {"__opaque__": f"ndarray of shape {value.shape} (too large to compare)"}
        data = np.ascontiguousarray(value)
        # The shape of the value itself: ascontiguousarray turns a 0-d array into shape (1,).
        return {
            "__ndarray__": base64.b64encode(data.tobytes()).decode("ascii"),
            "dtype": data.dtype.str,
            "shape": list(value.shape),
        }
    if isinstance(value, np.ndarray):
        return {
            "__opaque__": type(value).__name__ if type(value) is not np.ndarray else f"ndarray of dtype {value.dtype}"
        }
    if type(value) in (bool, np.bool_):
        # Before int: a bool is an int to Python, and print_cost=False must arrive as False.
        return {"__bool__": bool(value)}
    if type(value) is int or isinstance(value, np.integer) and type(value).__module__ == "numpy":
        return int(value)
    if type(value) is float or isinstance(value, np.floating) and type(value).__module__ == "numpy":
        return {"__float__": repr(float(value))}
    if type(value) is str:
        return value
    if value is None:
        return None
    if type(value) is tuple:
        return {"__tuple__": [encode(item) for item in value]}
    if type(value) is list:
        return [encode(item) for item in value]
    if type(value) is dict:
        return {
            "__dict__": [
                [key if type(key) is str else f"<{type(key).__name__} {key!r}>", encode(item)]
                for key, item in value.items()
            ]
        }
    return {"__opaque__": type(value).__name__}


def _opaque(type_name):
    """An inert object that reports the student's type name and nothing else."""
    return type(str(type_name), (), {"__repr__": lambda self: f"<{type_name}>"})()


def decode(data):
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "__ndarray__" in data:
        raw = base64.b64decode(data["__ndarray__"])
        return np.frombuffer(raw, dtype=np.dtype(data["dtype"])).reshape(data["shape"]).copy()
    if "__float__" in data:
        return float(data["__float__"])
    if "__bool__" in data:
        return bool(data["__bool__"])
    if "__tuple__" in data:
        return tuple(decode(item) for item in data["__tuple__"])
    if "__dict__" in data:
        return {key: decode(item) for key, item in data["__dict__"]}
    return _opaque(data.get("__opaque__", "object"))


def dumps(payload):
    return json.dumps(payload)


def loads(text):
    return json.loads(text)
