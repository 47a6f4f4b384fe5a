"""Schema hardening: document limits, deny-list of secrets in batches, error policy.

Count work, not requests (reliability.md #1): depth, aliases (fragments expanded),
tokens and root fields are limited before anything runs; mutations that carry a secret
must be the only root field of their operation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from schema.limits import Limits

logger = logging.getLogger("playroll.graphql")


def _root_field_names(
    selection_set: SelectionSetNode, rule: ValidationRule, seen: set[str]
) -> Iterator[str]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_field_names(selection.selection_set, rule, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = rule.context.get_fragment(name)
            if fragment is not None and name not in seen:
                seen.add(name)
                yield from _root_field_names(fragment.selection_set, rule, seen)


def root_field_rule(max_root_fields: int, single_root: frozenset[str]) -> type[ValidationRule]:
    class RootFieldLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            names = list(_root_field_names(node.selection_set, self, set()))
            if len(names) > max_root_fields:
                self.report_error(
                    GraphQLError(f"At most {max_root_fields} root fields per operation.", node)
                )
            lonely = sorted(single_root.intersection(names))
            if lonely and len(names) > 1:
                self.report_error(
                    GraphQLError(f"{lonely[0]} must be the only field of its operation.", node)
                )

    return RootFieldLimit


class NulCharacterRule(ValidationRule):
    """PostgreSQL cannot store NUL in text: refuse it up front as bad input."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError("Text may not contain NUL characters.", node))


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class Schema(strawberry.Schema):
    """Errors are logged by ErrorPolicy, once each: strawberry's own logging would log
    every one again, refusals included, at ERROR with a traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return


class ErrorPolicy(SchemaExtension):
    """Give every error an ``extensions.code``; mask unexpected ones outside debug.

    Errors raised on purpose carry a code already (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
    BAD_USER_INPUT). Errors without a path come from the document or its variables, so
    they are the client's: BAD_USER_INPUT. A refused operation is logged once at INFO,
    without a traceback or the error messages (a validation message quotes the input).
    Anything else is a bug: logged with its traceback, and shown as
    INTERNAL_SERVER_ERROR with no detail unless in debug.
    """

    def __init__(self, *, debug: bool) -> None:
        self.debug = debug
        self._refusals: list[str] = []

    def on_validate(self) -> Iterator[None]:
        yield
        variables = self.execution_context.variables
        if not self.execution_context.pre_execution_errors and _has_nul(variables):
            raise GraphQLError(
                "Text may not contain NUL characters.", extensions={"code": "BAD_USER_INPUT"}
            )

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        result.errors = [self._classify(e) for e in errors]
        if self._refusals:
            name = self.execution_context.operation_name or "(unnamed)"
            logger.info("refused operation %s: %s", name, ", ".join(self._refusals))

    def _refused(self, error: GraphQLError, reason: object) -> GraphQLError:
        where = ".".join(str(p) for p in error.path) if error.path else "document"
        self._refusals.append(f"{reason} at {where}")
        return error

    def _classify(self, error: GraphQLError) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return self._refused(error, error.extensions["code"])
        original = error.original_error
        client_fault = original is None or isinstance(original, GraphQLError | ValueError)
        if client_fault and (error.path is None or original is None):
            error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
            return self._refused(error, "BAD_USER_INPUT")
        logger.error("unexpected error in %s", error.path, exc_info=original)
        if self.debug:
            error.extensions = {**(error.extensions or {}), "code": "INTERNAL_SERVER_ERROR"}
            return error
        return GraphQLError(
            "Internal server error.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR"},
        )


def hardening_extensions(limits: Limits, single_root: frozenset[str]) -> list[Any]:
    """Factories, so every operation gets fresh extension instances."""
    root_rule = root_field_rule(limits.max_root_fields, single_root)
    extensions: list[Any] = [
        lambda: ErrorPolicy(debug=limits.debug),
        lambda: QueryDepthLimiter(max_depth=limits.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: AddValidationRules([root_rule, NulCharacterRule]),
    ]
    if not limits.debug:
        extensions.append(DisableIntrospection)
    return extensions
