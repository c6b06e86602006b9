"""YAML from users' files, loaded safely and within bounds.

``yaml.safe_load`` builds no arbitrary objects, but a small file can still expand enormously: an
anchor repeated through aliases (``&a [*b, *b, ...]`` nested a few times, a "billion laughs") or one
long string referenced thousands of times becomes gigabytes once code walks or copies it. Here the
document is first composed into its node graph, whose expanded size is counted in linear time
(each node once, an alias counting as the whole node it repeats); a file past the limits is refused
before any Python object is built.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Largest YAML file read (bytes).
MAX_BYTES = 2 * 2**20
#: Largest expanded document: nodes (mappings, sequences, scalars) and scalar characters.
MAX_NODES = 200_000
MAX_CHARS = 20 * 2**20


#: libyaml's safe loader where PyYAML was built with it (several times faster), else the pure-Python one.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlLimitError(ValueError):
    """A YAML text is too large, or expands past the limits through aliases."""


def expanded_size(node: yaml.Node | None) -> tuple[int, int]:
    """``(nodes, scalar characters)`` of ``node`` with every alias expanded, counted without expanding."""
    if node is None:
        return 0, 0
    sizes: dict[int, tuple[int, int]] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        children = _children(current)
        if not children_done:
            if key in visiting:
                raise YamlLimitError("a YAML node contains itself (a recursive alias)")
            visiting.add(key)
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        visiting.discard(key)
        nodes = 1 + sum(sizes[id(child)][0] for child in children)
        chars = (len(current.value) if isinstance(current, yaml.ScalarNode) else 0) + \
            sum(sizes[id(child)][1] for child in children)
        sizes[key] = (nodes, chars)
    return sizes[id(node)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml(text: str, max_bytes: int = MAX_BYTES, max_nodes: int = MAX_NODES, max_chars: int = MAX_CHARS) -> Any:
    """Parse ``text`` with the safe loader, refusing a text past the size and expansion limits.

    Raises:
        YamlLimitError: Too long, too many nodes or characters once aliases are expanded, or recursive.
        yaml.YAMLError: Not valid YAML.
    """
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise YamlLimitError(f"larger than {max_bytes // 2**20} MB")
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        nodes, chars = expanded_size(node)
        if nodes > max_nodes or chars > max_chars:
            raise YamlLimitError(f"expands to {nodes:,} nodes and {chars:,} characters through aliases "
                                 f"(at most {max_nodes:,} and {max_chars:,})")
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
