from tests.messaging.helpers import chat

__all__ = ["chat"]
