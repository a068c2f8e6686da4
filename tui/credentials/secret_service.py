"""Asking the D-Bus Secret Service (GNOME Keyring, KeePassXC, KWallet) about its state, without prompting.

keyring only says "no usable backend" or fails on first use; these probes say why, so the advice fits: no
session bus (usual over SSH), no Secret Service on the bus, or a collection that is locked or missing.
Only read-only calls are made (Collection.is_locked(), a property): never unlock() or create_collection(),
which show a desktop prompt or fail at once without a desktop. secretstorage and jeepney come with keyring on
Linux and are imported only when a probe runs. Blocking: call through the thread runner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection
    from keyring.backend import KeyringBackend

__all__ = ["BusState", "CollectionState", "collection_state", "is_secret_service", "session_bus_state"]

BusState = Literal["no-session-bus", "no-secret-service", "available", "unknown"]
CollectionState = Literal["ready", "locked", "no-collection", "no-secret-service"]

_DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"


def is_secret_service(backend: KeyringBackend) -> bool:
    """True for keyring's SecretService backend (the one whose collection can be locked)."""
    return type(backend).__module__ == "keyring.backends.SecretService"


def session_bus_state() -> BusState:
    """Whether a D-Bus session bus can be reached and a Secret Service runs (or can be started) on it."""
    try:
        import secretstorage
        from secretstorage.exceptions import SecretServiceNotAvailableException
    except ImportError:
        return "unknown"
    try:
        conn = secretstorage.dbus_init()
    except SecretServiceNotAvailableException:
        return "no-session-bus"
    except Exception:  # noqa: BLE001 - a probe only refines the advice
        return "unknown"
    try:
        return "available" if secretstorage.check_service_availability(conn) else "no-secret-service"
    except Exception:  # noqa: BLE001
        return "unknown"
    finally:
        conn.close()


def daemon_name(conn: DBusConnection) -> str | None:
    """The process name of the Secret Service ("gnome-keyring-d", "keepassxc", ...), from /proc; None if unknown."""
    try:
        from jeepney.bus_messages import message_bus
        from jeepney.wrappers import unwrap_msg

        pid = unwrap_msg(conn.send_and_get_reply(
            message_bus.GetConnectionUnixProcessID("org.freedesktop.secrets"), timeout=2
        ))[0]
        with open(f"/proc/{int(pid)}/comm", encoding="utf-8") as fh:
            return fh.read().strip() or None
    except Exception:  # noqa: BLE001 - only used to name the daemon in advice
        return None


def collection_state(backend: KeyringBackend) -> tuple[CollectionState, str | None]:
    """(state of the collection keyring will use, daemon name). "ready" when the probe itself fails: keyring
    chose this backend, so the real call will report any problem."""
    try:
        import secretstorage
        from secretstorage.exceptions import ItemNotFoundException
    except ImportError:
        return "ready", None
    try:
        conn = secretstorage.dbus_init()
    except Exception:  # noqa: BLE001
        return "ready", None
    try:
        if not secretstorage.check_service_availability(conn):
            return "no-secret-service", None
        daemon = daemon_name(conn)
        path = getattr(backend, "preferred_collection", None) or _DEFAULT_COLLECTION
        try:
            collection = secretstorage.Collection(conn, path)
        except ItemNotFoundException:
            return "no-collection", daemon
        return ("locked" if collection.is_locked() else "ready"), daemon
    except Exception:  # noqa: BLE001
        return "ready", None
    finally:
        conn.close()
