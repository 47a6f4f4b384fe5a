"""Schema hardening: document limits, deny-list of secrets in batches, error policy.

Count work, not requests (reliability.md #1): cost (selections, fragments expanded),
depth, aliases, tokens and root fields are limited before anything runs; mutations that
carry a secret must be the only root field of their operation.
"""

from __future__ import annotations

import contextlib
import logging
import re
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
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from schema.limits import Limits
from schema.validation import BoundedValidation, ValidDocuments

logger = logging.getLogger("playroll.graphql")

# Distinct documents remembered as valid per schema: every client's few, many times over.
VALID_DOCUMENTS_KEPT = 2048
# Parsed documents kept (process-wide, least recently used first out). Fewer than the
# valid ones: a parsed tree of a document at the token limit weighs far more than its text.
PARSED_DOCUMENTS_KEPT = 256


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


# PostgreSQL cannot store NUL; a lone surrogate cannot be encoded to UTF-8 at all (nor
# hashed, nor stored); other control characters (bar tab and line breaks) have no place
# in names or messages and would reach terminals, CSV exports and text messages.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _text_fault(value: object) -> str | None:
    """Why ``value`` (a variable's value, at any depth) is not acceptable text, if it is not."""
    if isinstance(value, str):
        found = _BAD_TEXT.search(value)
        if found is None:
            return None
        if found.group() == "\x00":
            return "Text may not contain NUL characters."
        if found.group() >= "\ud800":
            return "Text is not valid Unicode: it contains a lone surrogate."
        return "Text may not contain control characters other than tab and line breaks."
    if isinstance(value, dict):
        items: list[object] = [*value.keys(), *value.values()]
        return next(filter(None, map(_text_fault, items)), None)
    if isinstance(value, list):
        return next(filter(None, map(_text_fault, value)), None)
    return None


class NulCharacterRule(ValidationRule):
    """Refuse unstorable text in literals up front as bad input (see ``_text_fault``)."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        fault = _text_fault(node.value)
        if fault:
            self.report_error(GraphQLError(fault, node))


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
        fault = _text_fault(variables)
        if not self.execution_context.pre_execution_errors and fault:
            raise GraphQLError(fault, extensions={"code": "BAD_USER_INPUT"})

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


class KeptParses(ParserCache):
    """strawberry's parse cache, except that a document that fails to parse is left to
    strawberry's own parse, which reports it as the client's error (BAD_USER_INPUT, as
    without the cache) instead of an internal one. Failures are never kept."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


def hardening_extensions(limits: Limits, single_root: frozenset[str]) -> list[Any]:
    """Factories, so every operation gets fresh extension instances."""
    root_rule = root_field_rule(limits.max_root_fields, single_root)
    # strawberry's limiters build a new rule class each time one is made: made per
    # operation, that is a class (and its cyclic garbage) per request and per socket.
    # The classes hold only the limits, so they are built once here.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        root_rule,
        NulCharacterRule,
    ]
    valid = ValidDocuments(VALID_DOCUMENTS_KEPT)
    extensions: list[Any] = [
        lambda: ErrorPolicy(debug=limits.debug),
        lambda: KeptParses(maxsize=PARSED_DOCUMENTS_KEPT),
        # Runs validation itself: cost first, so no rule below walks an over-cost document.
        lambda: BoundedValidation(max_cost=limits.max_cost, debug=limits.debug, valid=valid),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: AddValidationRules(rules),
    ]
    if not limits.debug:
        extensions.append(DisableIntrospection)
    return extensions
