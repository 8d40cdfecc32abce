"""What the FHIR export's tests share."""


def walk(value, key):
    """Every value under ``key`` anywhere in a nested JSON value."""
    if isinstance(value, dict):
        for name, inner in value.items():
            if name == key:
                yield inner
            yield from walk(inner, key)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner, key)
