"""The error raised for any request the Beacon cannot accept."""

from __future__ import annotations


class BeaconRequestError(Exception):
    """A request that cannot be answered, with the HTTP status to answer it with.

    ``parameter`` names the request parameter (or filter id) at fault, when there is one,
    so that clients can point at it.
    """

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter

    def __repr__(self) -> str:
        return (
            f"BeaconRequestError(status={self.status}, message={self.message!r}, "
            f"parameter={self.parameter!r})"
        )


def bad_request(message: str, parameter: str | None = None) -> BeaconRequestError:
    """A 400 error for a malformed or unsupported request."""
    return BeaconRequestError(400, message, parameter)
