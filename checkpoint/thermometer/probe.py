"""Which protocol does the module on a port speak? Try each one's settings and listen."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import serial

from checkpoint.thermometer.protocols.base import DeviceProtocol, Sample
from checkpoint.thermometer.transport import open_port, port_error


@dataclass(frozen=True, slots=True)
class ProbeResult:
    protocol: str
    baudrate: int
    samples: int
    errors: int
    example: str
    """The first value decoded, as text, or ""."""

    @property
    def answered(self) -> bool:
        """Valid frames came back, at least as many as broken ones."""
        return self.samples > 0 and self.samples >= self.errors


def probe_port(
    target: str, protocols: Sequence[DeviceProtocol], *, seconds: float
) -> list[ProbeResult]:
    """Listen on `target` with each protocol's settings for `seconds`, sending its commands.

    A port that cannot be opened, or that fails while it is being listened to, raises
    PortError: the same port would fail for every protocol after it.
    """
    results = []
    for protocol in protocols:
        port = open_port(target, protocol.serial, timeout=0.05)
        parser = protocol.parser()
        samples = errors = 0
        example = ""
        try:
            for command in protocol.init_commands():
                port.write(command)
                parser.expect_response(command)
            poll = protocol.poll_command()
            deadline = time.monotonic() + seconds
            next_poll = 0.0
            while (now := time.monotonic()) < deadline:
                if poll is not None and now >= next_poll:
                    port.write(poll)
                    parser.expect_response(poll)
                    next_poll = now + protocol.poll_interval
                for decoded in parser.feed(port.read(port.in_waiting or 1)):
                    if isinstance(decoded, Sample):
                        samples += 1
                        example = example or (
                            f"{decoded.value:g} {decoded.unit.value} {decoded.site.value}"
                        )
                    else:
                        errors += 1
        except (serial.SerialException, OSError) as error:
            raise port_error(target, error) from error
        finally:
            port.close()
        results.append(
            ProbeResult(protocol.name, protocol.serial.baudrate, samples, errors, example)
        )
    return results
