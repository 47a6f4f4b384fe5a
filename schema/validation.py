"""Validation we run ourselves: cost first, then the rules, without hints outside debug.

strawberry validates after every extension's ``on_validate`` has started, unless one of
them has already set ``pre_execution_errors``. Doing it here lets us refuse an over-cost
document before any rule walks it (several library rules expand fragments naively), and
pass graphql-core's ``hide_suggestions`` switch, which strawberry does not expose: with it
no message says "Did you mean ..." for a field, argument, input field, enum value or type.
Variable values are coerced at execution, so the executor gets the same switch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.cost import document_cost

# The rules strawberry adds to the configured ones in its own validate_document.
_STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


class ValidDocuments:
    """The texts of the latest documents that passed validation, for one schema.

    A tablet or a phone sends the same few documents all day; validating one again (the
    cost walk and every rule, about a third of a small query's time) tells nothing new,
    as the schema and the rules are fixed for the schema's life. Only passes are kept:
    a refused document is checked afresh each time, so its errors are never shared.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._texts: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, text: str) -> bool:
        if text not in self._texts:
            return False
        self._texts.move_to_end(text)
        return True

    def add(self, text: str) -> None:
        self._texts[text] = None
        if len(self._texts) > self._size:
            self._texts.popitem(last=False)


class BoundedValidation(SchemaExtension):
    def __init__(self, *, max_cost: int, debug: bool, valid: ValidDocuments) -> None:
        self.max_cost = max_cost
        self.debug = debug
        self.valid = valid

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.query is not None and context.query in self.valid:
            # An empty list, not None: strawberry then skips its own validation too.
            context.pre_execution_errors = []
        elif document is not None and context.pre_execution_errors is None:
            cost = document_cost(document)
            if cost.selections > self.max_cost:
                context.pre_execution_errors = [
                    GraphQLError(
                        f"Query too complex: {cost.selections} selections once fragments "
                        f"are expanded, at most {self.max_cost}.",
                        extensions={"code": "QUERY_TOO_COMPLEX"},
                    )
                ]
            else:
                context.pre_execution_errors = validate(
                    context.schema._schema,
                    document,
                    (*context.validation_rules, *_STRAWBERRY_RULES),
                    hide_suggestions=not self.debug,
                )
                if not context.pre_execution_errors and context.query is not None:
                    self.valid.add(context.query)
        yield


class QuietExecutor(StrawberryGraphQLCoreExecutionContext):
    """Coerces variables without suggesting names (an unknown enum value or input field)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        return super().build(*args, **{**kwargs, "hide_suggestions": True})
