"""Reading numbers written as text, the way Terraform and CloudFormation accept them."""
from __future__ import annotations


def number(text: str) -> int | float | None:
    """`"30"` -> 30, `"1.5"` -> 1.5, anything else -> None."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None
