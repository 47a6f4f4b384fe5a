"""A document's cost: its selections after expanding every fragment, counted in linear time.

A fragment that spreads another twice, nested twenty deep, is a million selections in
under 1 KB. Every walker that expands fragments naively (strawberry's depth and alias
limiters among them) does that million steps, so the cost is computed first, with each
fragment's expanded cost computed once, and an over-cost document is refused before any
other rule looks at it (reliability.md #1: count work, not requests).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
)


@dataclass(frozen=True)
class DocumentCost:
    # Fields, fragment spreads and inline fragments of all operations, fragments expanded:
    # the number of steps any expanding walk of the document takes.
    selections: int
    # Selection nodes this computation looked at: at most once each (memoised fragments).
    visits: int


@dataclass
class _Frame:
    selections: Iterator[SelectionNode]
    # The fragment whose body this frame sums, so its total is remembered when done.
    fragment: str | None = None
    total: int = field(default=0)


def document_cost(document: DocumentNode) -> DocumentCost:
    """Cost of every operation in ``document``, summed (validation walks them all).

    Iterative, not recursive: a deeply nested document must not hit the recursion limit
    before the depth rule can refuse it. A fragment spread inside its own expansion (a
    cycle, which NoFragmentCyclesRule reports) counts as one selection and stops there.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    expanded: dict[str, int] = {}
    in_progress: set[str] = set()
    visits = 0
    total = 0
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        stack = [_Frame(iter(operation.selection_set.selections))]
        while stack:
            frame = stack[-1]
            selection = next(frame.selections, None)
            if selection is None:
                stack.pop()
                if frame.fragment is not None:
                    expanded[frame.fragment] = frame.total
                    in_progress.discard(frame.fragment)
                if stack:
                    stack[-1].total += frame.total
                else:
                    total += frame.total
                continue
            visits += 1
            frame.total += 1
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in expanded:
                    frame.total += expanded[name]
                elif name not in in_progress and name in fragments:
                    in_progress.add(name)
                    body = fragments[name].selection_set.selections
                    stack.append(_Frame(iter(body), fragment=name))
            elif (
                isinstance(selection, FieldNode | InlineFragmentNode)
                and selection.selection_set is not None
            ):
                stack.append(_Frame(iter(selection.selection_set.selections)))
    return DocumentCost(selections=total, visits=visits)
